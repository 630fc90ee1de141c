/*
 * Waits until a server answers "GET PATH" on 127.0.0.1:PORT with 200 and exactly BODY, and prints
 * the moment it did, in microseconds of the wall clock (what bash's EPOCHREALTIME counts), so that
 * run.sh can time a server from its exec to its first proxied answer.
 *
 *   ready_probe PORT PATH BODY DEADLINE_US PROBE_TIMEOUT_S SERVER_PID
 *
 * One process for the whole wait, trying to connect every millisecond and sending the request as
 * soon as the server listens: a probe that started curl (and sleep) over and over took CPU from
 * the server it timed while that server started, about 70 ms of a JVM's 300 on two cores. The
 * request is HTTP/1.0, so the answer ends with the connection and is never chunked. One attempt
 * waits at most PROBE_TIMEOUT_S seconds, and never past DEADLINE_US.
 *
 * Exit status: 0 ready (the time on stdout), 1 not ready by DEADLINE_US or the server's process
 * gone (the reason on stderr), 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_RESPONSE 65536

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long) t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void pause_a_millisecond(void) {
    struct timespec t = {0, 1000000};
    nanosleep(&t, NULL);
}

/* Connects, asks, and reads the whole answer into response; returns its length, or -1 when the
 * server does not listen yet or the exchange failed. */
static int exchange(const struct sockaddr_in *address, const char *request, long long timeout_us, char *response) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct timeval timeout = {(time_t) (timeout_us / 1000000), (suseconds_t) (timeout_us % 1000000)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    int length = -1;
    if (connect(fd, (const struct sockaddr *) address, sizeof *address) == 0
            && send(fd, request, strlen(request), MSG_NOSIGNAL) == (ssize_t) strlen(request)) {
        length = 0;
        ssize_t n;
        while (length < MAX_RESPONSE && (n = recv(fd, response + length, MAX_RESPONSE - length, 0)) > 0) {
            length += (int) n;
        }
        if (n < 0) {
            length = -1;
        }
    }
    close(fd);
    return length;
}

/* Whether process pid still runs: its /proc entry is there and it is not a zombie. */
static int running(const char *pid) {
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *file = fopen(path, "re");
    if (file == NULL) {
        return 0;
    }
    size_t n = fread(stat, 1, sizeof stat - 1, file);
    fclose(file);
    stat[n] = '\0';
    const char *state = strrchr(stat, ')');
    return state != NULL && state[1] == ' ' && state[2] != 'Z';
}

/* Whether response (length bytes) is a 200 whose body is exactly body. */
static int answers(const char *response, int length, const char *body, int *status) {
    *status = 0;
    if (length < 12 || memcmp(response, "HTTP/1.", 7) != 0) {
        return 0;
    }
    for (int i = 9; i < 12; i++) {
        if (response[i] < '0' || response[i] > '9') {
            return 0;
        }
        *status = *status * 10 + (response[i] - '0');
    }
    const char *end = memmem(response, (size_t) length, "\r\n\r\n", 4);
    if (*status != 200 || end == NULL) {
        return 0;
    }
    const char *content = end + 4;
    size_t content_length = (size_t) (response + length - content);
    return content_length == strlen(body) && memcmp(content, body, content_length) == 0;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT PATH BODY DEADLINE_US PROBE_TIMEOUT_S SERVER_PID\n", argv[0]);
        return 2;
    }
    long port = strtol(argv[1], NULL, 10);
    long long deadline = atoll(argv[4]);
    long timeout_s = strtol(argv[5], NULL, 10);
    if (port < 1 || port > 65535 || deadline <= 0 || timeout_s < 1) {
        fprintf(stderr, "%s: PORT must be 1-65535, DEADLINE_US and PROBE_TIMEOUT_S positive\n", argv[0]);
        return 2;
    }
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short) port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char *body = argv[3];
    char request[1024];
    if (snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n", argv[2], argv[1])
            >= (int) sizeof request) {
        fprintf(stderr, "path too long\n");
        return 2;
    }
    static char response[MAX_RESPONSE];
    const char *server_pid = argv[6];
    int status = 0;
    while (now_us() < deadline) {
        if (!running(server_pid)) {
            fprintf(stderr, "the server's process %s exited, last status %03d\n", server_pid, status);
            return 1;
        }
        long long left = deadline - now_us();
        long long timeout_us = left < timeout_s * 1000000LL ? left : timeout_s * 1000000LL;
        // At least 1 us: a zero timeout would mean none.
        int length = exchange(&address, request, timeout_us > 0 ? timeout_us : 1, response);
        if (length >= 0 && answers(response, length, body, &status)) {
            printf("%lld\n", now_us());
            return 0;
        }
        pause_a_millisecond();
    }
    fprintf(stderr, "last status %03d\n", status);
    return 1;
}
