// A thin wrapper over libcurl's SMTP support. It exists because curl_easy_setopt is
// variadic, which Swift cannot call; everything else (retries, queueing, MIME) is Swift.
#include "csmtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *data;
    size_t remaining;
} payload_cursor;

static size_t read_payload(char *buffer, size_t size, size_t count, void *userdata) {
    payload_cursor *cursor = (payload_cursor *)userdata;
    size_t room = size * count;
    size_t chunk = cursor->remaining < room ? cursor->remaining : room;
    if (chunk > 0) {
        memcpy(buffer, cursor->data, chunk);
        cursor->data += chunk;
        cursor->remaining -= chunk;
    }
    return chunk;
}

void nova_smtp_global_init(void) {
    static int done = 0;
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = 1;
    }
}

int nova_smtp_send(const nova_smtp_message *message, char *error, size_t error_size, long *smtp_code) {
    if (error_size > 0) error[0] = '\0';
    if (smtp_code) *smtp_code = 0;

    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(error, error_size, "curl_easy_init failed");
        return CURLE_FAILED_INIT;
    }

    char curl_error[CURL_ERROR_SIZE];
    curl_error[0] = '\0';
    struct curl_slist *recipients = NULL;
    for (size_t i = 0; i < message->recipient_count; i++) {
        recipients = curl_slist_append(recipients, message->recipients[i]);
    }
    payload_cursor cursor = {message->payload, message->payload_length};

    curl_easy_setopt(curl, CURLOPT_URL, message->url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, message->timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, message->timeout_seconds * 2);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, message->mail_from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &cursor);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message->payload_length);
    if (message->require_tls) {
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    }
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, message->verify_peer ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, message->verify_peer ? 2L : 0L);
    if (message->ca_file) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, message->ca_file);
    }
    if (message->username) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, message->username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, message->password ? message->password : "");
        // PLAIN or LOGIN, whichever the server offers.
        curl_easy_setopt(curl, CURLOPT_LOGIN_OPTIONS, "AUTH=*");
    }

    CURLcode result = curl_easy_perform(curl);
    if (smtp_code) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, smtp_code);
    if (result != CURLE_OK) {
        snprintf(error, error_size, "%s: %s", curl_easy_strerror(result), curl_error[0] ? curl_error : "no detail");
    }
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return (int)result;
}
