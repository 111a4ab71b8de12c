package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.SecretResolver;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** Sends notifications as plain-text mail over SMTP (Angus Mail), with STARTTLS when offered or required, and login when set. */
final class EmailAlertSender implements AlertSender {
    private final Duration timeout;
    private final SecretResolver secrets;
    private final Clock clock;

    private final ChannelTargets targets;

    EmailAlertSender(Duration timeout, SecretResolver secrets, ChannelTargets targets, Clock clock) {
        this.timeout = timeout;
        this.secrets = secrets;
        this.targets = targets;
        this.clock = clock;
    }

    @Override
    public SendResult send(Channel channel, Notification notification) {
        if (!(channel instanceof Channel.Email email)) {
            return SendResult.failed(0, "", "channel '" + channel.name() + "' is not an email channel", false);
        }
        try {
            // Checked again before every send: the relay's name may resolve elsewhere than when the channel was added.
            targets.check(email);
        } catch (KeelException e) {
            return SendResult.failed(0, "", e.getMessage(), false);
        }
        String password = "";
        if (!email.username().isEmpty()) {
            try {
                password = secrets.resolve(email.password());
            } catch (RuntimeException e) {
                return SendResult.failed(0, "", "the SMTP password " + SecretRefs.format(email.password()) + " cannot be read", true);
            }
        }
        Session session = Session.getInstance(properties(email));
        SMTPTransport transport = null;
        try {
            transport = (SMTPTransport) session.getTransport("smtp");
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(email.from()));
            Address[] recipients = InternetAddress.parse(String.join(",", email.to()));
            message.setRecipients(Message.RecipientType.TO, recipients);
            message.setSubject(notification.summary(), "UTF-8");
            message.setText(notification.plainText(), "UTF-8");
            message.setSentDate(Date.from(clock.instant()));
            message.saveChanges();
            transport.connect(email.host(), email.port(), email.username().isEmpty() ? null : email.username(),
                    email.username().isEmpty() ? null : password);
            transport.sendMessage(message, recipients);
            return SendResult.delivered(transport.getLastReturnCode(), reply(transport));
        } catch (MessagingException e) {
            int code = transport == null ? 0 : transport.getLastReturnCode();
            boolean retryable = code / 100 != 5;
            return SendResult.failed(Math.max(code, 0), transport == null ? "" : reply(transport), describe(e), retryable);
        } finally {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException e) {
                    // the message was sent or the failure recorded; closing adds nothing
                }
            }
        }
    }

    private Properties properties(Channel.Email email) {
        Properties properties = new Properties();
        String millis = Long.toString(timeout.toMillis());
        properties.put("mail.smtp.host", email.host());
        properties.put("mail.smtp.port", Integer.toString(email.port()));
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", Boolean.toString(email.requireStartTls()));
        properties.put("mail.smtp.auth", Boolean.toString(!email.username().isEmpty()));
        properties.put("mail.smtp.connectiontimeout", millis);
        properties.put("mail.smtp.timeout", millis);
        properties.put("mail.smtp.writetimeout", millis);
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        return properties;
    }

    private static String reply(SMTPTransport transport) {
        String response = transport.getLastServerResponse();
        return response == null ? "" : response.strip();
    }

    private static String describe(MessagingException e) {
        StringBuilder text = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        Exception next = e.getNextException();
        if (next != null && next != e) {
            text.append(" (").append(next.getClass().getSimpleName()).append(": ").append(next.getMessage()).append(')');
        }
        return text.toString().strip();
    }
}
