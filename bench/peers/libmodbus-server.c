/*
 * Neutral Modbus TCP server for the benchmark, built on libmodbus so that the server side is not our code.
 *
 *   libmodbus-server PORT        (PORT 0 binds a free port)
 *
 * Prints "READY port=N" once listening on 127.0.0.1, then serves any number of connections with select(),
 * printing "CONNECTED total=N" for each accepted connection (the bench checks how many a client opened).
 * Holding registers 0..REGISTER_COUNT-1 hold the pattern (i * 7 + 3) & 0xFFFF.
 *
 * Pipelining: modbus_receive() reads exactly one request (MBAP header, then the declared remainder) with
 * recv() of the exact lengths, so a following request sent back to back stays in the socket buffer; the next
 * select() reports the socket readable again and the loop answers it. Nothing is read ahead and dropped.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#define REGISTER_COUNT 2000

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    signal(SIGPIPE, SIG_IGN);

    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    if (ctx == NULL) {
        fprintf(stderr, "modbus_new_tcp: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_mapping_t *mapping = modbus_mapping_new(0, 0, REGISTER_COUNT, REGISTER_COUNT);
    if (mapping == NULL) {
        fprintf(stderr, "modbus_mapping_new: %s\n", modbus_strerror(errno));
        return 1;
    }
    for (int i = 0; i < REGISTER_COUNT; i++) {
        mapping->tab_registers[i] = (uint16_t)((i * 7 + 3) & 0xFFFF);
        mapping->tab_input_registers[i] = (uint16_t)((i * 7 + 3) & 0xFFFF);
    }

    int listener = modbus_tcp_listen(ctx, 16);
    if (listener < 0) {
        fprintf(stderr, "modbus_tcp_listen: %s\n", modbus_strerror(errno));
        return 1;
    }
    struct sockaddr_in bound;
    socklen_t bound_length = sizeof bound;
    if (getsockname(listener, (struct sockaddr *)&bound, &bound_length) != 0) {
        perror("getsockname");
        return 1;
    }
    printf("READY port=%d\n", ntohs(bound.sin_port));
    fflush(stdout);

    fd_set connections;
    FD_ZERO(&connections);
    FD_SET(listener, &connections);
    int max_fd = listener;
    int accepted = 0;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];

    for (;;) {
        fd_set ready = connections;
        if (select(max_fd + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR) continue;
            perror("select");
            return 1;
        }
        for (int fd = 0; fd <= max_fd; fd++) {
            if (!FD_ISSET(fd, &ready)) continue;
            if (fd == listener) {
                int client = accept(listener, NULL, NULL);
                if (client < 0) continue;
                if (client >= FD_SETSIZE) { close(client); continue; }
                /* Replies go out at once: Nagle would hold a pipelined reply until the previous one is acked. */
                int one = 1;
                setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                FD_SET(client, &connections);
                if (client > max_fd) max_fd = client;
                printf("CONNECTED total=%d\n", ++accepted);
                fflush(stdout);
                continue;
            }
            modbus_set_socket(ctx, fd);
            int length = modbus_receive(ctx, query);
            if (length > 0) {
                modbus_reply(ctx, query, length, mapping);
            } else if (length < 0) {
                /* Closed by the client, or a malformed frame: drop this connection only. */
                close(fd);
                FD_CLR(fd, &connections);
                if (fd == max_fd) while (max_fd > listener && !FD_ISSET(max_fd, &connections)) max_fd--;
            }
        }
    }
}
