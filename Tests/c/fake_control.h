/*
 * fake_control.h: loopback helpers of the C test programs: a client for the test fake's control
 * endpoints (/_fake/reset, /_fake/requests) in raw HTTP/1.1, and a port nobody listens on.
 * Include it after the system headers (it needs POSIX sockets).
 */
#ifndef DEPLOYHOOK_TEST_FAKE_CONTROL_H
#define DEPLOYHOOK_TEST_FAKE_CONTROL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sends `method path` to the fake on 127.0.0.1:port; returns the HTTP status (-1 when none), and the
 * body, malloc'ed (the caller frees it), in *body when body is not NULL. */
static inline int fake_http(int port, const char *method, const char *path, char **body)
{
    char req[256], *resp = NULL, *grown;
    size_t used = 0, cap = 0;
    ssize_t n;
    int status = -1, fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;

    if (body != NULL)
        *body = NULL;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    snprintf(req, sizeof req,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n", method, path);
    if (write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
        for (;;) {
            if (cap - used < 4096) {
                cap = cap ? cap * 2 : 65536;
                grown = realloc(resp, cap);
                if (grown == NULL)
                    break;
                resp = grown;
            }
            n = read(fd, resp + used, cap - used - 1);
            if (n <= 0)
                break;
            used += (size_t)n;
        }
        if (resp != NULL) {
            char *start;
            resp[used] = '\0';
            start = strstr(resp, "\r\n\r\n");
            if (sscanf(resp, "HTTP/1.1 %d", &status) == 1 && start != NULL && body != NULL) {
                start += 4;
                memmove(resp, start, strlen(start) + 1);
                *body = resp;
                resp = NULL;
            }
        }
    }
    free(resp);
    close(fd);
    return status;
}

/* How many requests a /_fake/requests body lists. */
static inline int fake_count_requests(const char *body)
{
    int count = 0;
    const char *p;
    for (p = body; (p = strstr(p, "\"method\":")) != NULL; p++)
        count++;
    return count;
}

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
static inline int closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int port = 0, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

#endif
