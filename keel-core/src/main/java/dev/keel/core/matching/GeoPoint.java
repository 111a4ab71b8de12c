package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

/** A point on the earth in decimal degrees (WGS84 latitude and longitude). */
public record GeoPoint(double latitude, double longitude) {

    /** Mean earth radius in kilometres, as the haversine formula is usually given. */
    static final double EARTH_RADIUS_KM = 6371.0088;

    public GeoPoint {
        requireArgument(latitude >= -90 && latitude <= 90, "latitude must be in [-90, 90] (got %s)", latitude);
        requireArgument(longitude >= -180 && longitude <= 180, "longitude must be in [-180, 180] (got %s)", longitude);
    }

    /** Great-circle distance to {@code other} in kilometres, by the haversine formula on a sphere of radius 6371.0088 km. */
    public double kilometresTo(GeoPoint other) {
        return kilometres(latitude, longitude, other.latitude, other.longitude);
    }

    /** Haversine distance in kilometres between two points given in decimal degrees, as {@link #kilometresTo} computes it. */
    public static double kilometres(double latitude, double longitude, double otherLatitude, double otherLongitude) {
        double phi1 = Math.toRadians(latitude);
        double phi2 = Math.toRadians(otherLatitude);
        double deltaPhi = phi2 - phi1;
        double deltaLambda = Math.toRadians(otherLongitude - longitude);
        double a = Math.pow(Math.sin(deltaPhi / 2), 2) + Math.cos(phi1) * Math.cos(phi2) * Math.pow(Math.sin(deltaLambda / 2), 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
