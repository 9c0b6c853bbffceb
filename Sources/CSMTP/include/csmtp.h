#ifndef NOVA_CSMTP_H
#define NOVA_CSMTP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One message to deliver over SMTP with libcurl. `url` is smtp://host:port (STARTTLS
/// when `require_tls` is set) or smtps://host:port (implicit TLS).
typedef struct nova_smtp_message {
    const char *url;
    const char *username;        // NULL: no AUTH
    const char *password;
    const char *mail_from;       // bare address
    const char *const *recipients;
    size_t recipient_count;
    const char *payload;         // full RFC 5322 message, CRLF line endings
    size_t payload_length;
    int require_tls;             // 1: fail unless the connection is TLS (STARTTLS or smtps)
    int verify_peer;             // 1: verify the server certificate and host name
    const char *ca_file;         // NULL: the system's CA store
    long timeout_seconds;
} nova_smtp_message;

/// Initialises libcurl once per process, before any thread sends mail.
void nova_smtp_global_init(void);

/// Sends the message. Returns 0 on success, else libcurl's error code; `error` receives a
/// readable reason and `smtp_code` the server's last reply code (0 if none).
int nova_smtp_send(const nova_smtp_message *message, char *error, size_t error_size, long *smtp_code);

#ifdef __cplusplus
}
#endif

#endif
