/*
 * LD_PRELOAD shim for the https-hello-no-keepalive scenario: makes an OpenSSL client (wrk) do a
 * full TLS handshake on every new connection instead of resuming its last session.
 *
 * wrk keeps one SSL object per connection slot and reuses it for the next connection
 * (SSL_shutdown + SSL_clear keep the session), so every connection after the first resumes by
 * ticket: cheaper for the server than a new visitor's handshake, and the servers differ in
 * resumption (tickets, session IDs). wrk calls SSL_set_fd before each step of a handshake; this
 * drops the kept session at the first, while the SSL object has not started a handshake yet.
 *
 * At exit it prints how many resumable sessions it dropped, the proof it was loaded and that
 * the client would otherwise have resumed:  no_tls_resumption: dropped N resumable sessions
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

/* From <openssl/ssl.h>, declared here so that building needs no OpenSSL headers. */
typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;
int SSL_in_before(const SSL *ssl);
SSL_SESSION *SSL_get_session(const SSL *ssl);
int SSL_SESSION_is_resumable(const SSL_SESSION *session);
int SSL_set_session(SSL *ssl, SSL_SESSION *session);

static long dropped;

int SSL_set_fd(SSL *ssl, int fd) {
    static int (*real_set_fd)(SSL *, int);
    if (real_set_fd == NULL) {
        real_set_fd = (int (*)(SSL *, int)) dlsym(RTLD_NEXT, "SSL_set_fd");
    }
    if (SSL_in_before(ssl)) {
        SSL_SESSION *kept = SSL_get_session(ssl);
        if (kept != NULL && SSL_SESSION_is_resumable(kept)) {
            __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
        }
        SSL_set_session(ssl, NULL);
    }
    return real_set_fd(ssl, fd);
}

__attribute__((destructor)) static void report(void) {
    fprintf(stderr, "no_tls_resumption: dropped %ld resumable sessions\n",
            __atomic_load_n(&dropped, __ATOMIC_RELAXED));
}
