package io.gatehouse.core;

import java.io.Closeable;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CountDownLatch;

import io.gatehouse.fcgi.responder.FcgiResponder;
import io.gatehouse.scgi.responder.ScgiProtocol;
import io.gatehouse.scgi.responder.ScgiResponder;

/**
 * {@link TestApp} as a bin-path child: serves the listening socket it inherits as fd 0, as
 * php-cgi does, speaking the protocol named by its one argument ({@code fastcgi}, {@code scgi},
 * {@code uwsgi}).
 */
public final class TestAppMain {

    private TestAppMain() {
    }

    public static void main(String[] args) throws Exception {
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel server)) {
            System.err.println("TestAppMain: fd 0 is not a listening socket");
            System.exit(2);
            return;
        }
        try (Closeable responder = switch (args[0]) {
            case "fastcgi" -> new FcgiResponder((request, response) ->
                    TestApp.handle(request.params(), request.body(), response.stdout())).start(server);
            case "scgi" -> new ScgiResponder(ScgiProtocol.SCGI, TestApp::handle).start(server);
            case "uwsgi" -> new ScgiResponder(ScgiProtocol.UWSGI, TestApp::handle).start(server);
            default -> throw new IllegalArgumentException("protocol " + args[0]);
        }) {
            new CountDownLatch(1).await(); // serves until the parent's kill-signal ends the JVM
        }
    }
}
