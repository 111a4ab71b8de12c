package dev.keel.core.data;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/** Small helpers over plain JDBC shared by the data repositories. */
final class JdbcSupport {
    private final DataSource dataSource;

    JdbcSupport(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<T> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(mapper.map(result));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int index = 0; index < parameters.length; index++) {
            Object parameter = parameters[index];
            if (parameter == null) {
                statement.setNull(index + 1, Types.BIGINT);
            } else if (parameter instanceof Integer value) {
                statement.setLong(index + 1, value);
            } else {
                statement.setObject(index + 1, parameter);
            }
        }
    }

    private static KeelException failure(String sql, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean sqliteConstraint = e.getErrorCode() == 19 && e.getClass().getName().startsWith("org.sqlite");
        if (state.startsWith("23") || sqliteConstraint) {
            return new KeelException(ErrorCode.CONFLICT, "the metadata store refused a duplicate: " + e.getMessage(), e);
        }
        return new KeelException(ErrorCode.UNAVAILABLE, "metadata store query failed (SQLSTATE " + state + "): "
                + sql.substring(0, Math.min(60, sql.length())), e);
    }
}
