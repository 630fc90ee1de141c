package io.gatehouse.core.internal.staticfile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Date;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import io.gatehouse.conf.Scope;
import io.gatehouse.conf.StaticFileOptions;
import io.gatehouse.core.internal.gateway.Completion;
import io.gatehouse.core.internal.gateway.ErrorPages;
import io.gatehouse.core.internal.http.RequestTarget;
import io.gatehouse.spawn.OpenedFile;
import io.undertow.io.IoCallback;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * Serves a file under the document root as lighttpd 1.4.69's mod_staticfile and mod_indexfile
 * do (no directory listings): the index file of a directory, 403 for a directory without one, for
 * what is not a regular file and for {@code static-file.exclude-extensions}; Content-Type from
 * {@code mimetype.assign}; and, for a file whose type is known, ETag, Last-Modified and 304 for
 * {@code If-None-Match} (which, when present, decides alone) or {@code If-Modified-Since}. GET
 * requests of HTTP/1.1 get {@code Accept-Ranges: bytes} and {@link ByteRanges} (206, multipart
 * for several ranges, 416 when none is satisfiable), subject to {@code If-Range}. GET, HEAD and
 * POST are served alike; OPTIONS lists them; other methods get 501.
 *
 * <p>Called on the exchange's I/O thread; only the file system's part runs on a worker thread
 * ({@link FileLookup}). The file is opened before anything is said about it, and its length, type
 * and validators are those of the file opened ({@link OpenedFile}). Thread-safe.
 */
public final class StaticFileHandler {

    /** lighttpd's multipart boundary: fixed, as in its answers. */
    static final String BOUNDARY = "fkj49sn38dcn3";

    private static final String OCTET_STREAM = "application/octet-stream";
    private static final HttpString ALLOW = new HttpString("Allow");
    private static final String ALLOWED_METHODS = "OPTIONS, GET, HEAD, POST";

    private final MimeTypeTables mimeTypes;

    public StaticFileHandler(MimeTypeTables mimeTypes) {
        this.mimeTypes = mimeTypes;
    }

    /** lighttpd's answer to OPTIONS, of a file or of the server ({@code OPTIONS *}): the methods served. */
    public static void answerOptions(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(ALLOW, ALLOWED_METHODS).put(Headers.CONTENT_LENGTH, 0);
        Completion.endOnIoThread(exchange);
    }

    /**
     * Answers {@code exchange} for {@code target}'s path in {@code scope}'s {@code documentRoot}.
     * Called on the exchange's I/O thread, in the handler call: the file system is asked on a
     * worker thread ({@link FileLookup}), and the answer is given back here, on the I/O thread,
     * where Undertow changes the exchange's state when the client goes away.
     */
    public void serve(HttpServerExchange exchange, Scope scope, Path documentRoot, RequestTarget target) {
        HttpString method = exchange.getRequestMethod();
        String urlPath = target.path();
        XnioIoThread ioThread = exchange.getIoThread();
        exchange.dispatch(exchange.getConnection().getWorker(), () -> {
            FileLookup found = FileLookup.find(documentRoot, urlPath, scope, method);
            try {
                ioThread.execute(() -> answerOnIoThread(exchange, scope.staticFiles(), target, found));
            } catch (RejectedExecutionException stopping) {
                FileLookup.discard(found);
            }
        });
    }

    private void answerOnIoThread(HttpServerExchange exchange, StaticFileOptions options, RequestTarget target,
            FileLookup found) {
        if (exchange.isComplete()) {
            FileLookup.discard(found); // its HTTP/2 stream was reset, which ended it
            return;
        }
        if (!exchange.getConnection().isOpen()) {
            // The client left meanwhile (its connection closed): Undertow
            // would drop a handler dispatched now and leave the exchange open for good, counted in
            // flight, with the file open until a garbage collection found it.
            FileLookup.discard(found);
            exchange.endExchange();
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, ex -> answer(ex, options, target, found));
    }

    /** On the I/O thread, in a handler call: answers with what the lookup found. */
    private void answer(HttpServerExchange exchange, StaticFileOptions options, RequestTarget target,
            FileLookup found) throws IOException {
        if (found instanceof FileLookup.Found file) {
            boolean sending = false;
            try {
                sending = answer(exchange, options, file.file(), file.opened());
            } finally {
                if (!sending) {
                    IoUtils.safeClose(file.opened());
                }
            }
        } else if (found instanceof FileLookup.DirectoryWithoutSlash) {
            // As lighttpd: 301 to the slashed path, so the directory page's relative links work.
            exchange.setStatusCode(StatusCodes.MOVED_PERMANENTLY);
            exchange.getResponseHeaders().put(Headers.LOCATION, target.slashedDirectoryLocation());
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
            exchange.endExchange();
        } else if (found instanceof FileLookup.Options) {
            answerOptions(exchange);
        } else if (found instanceof FileLookup.Refused refused) {
            ErrorPages.send(exchange, refused.status());
        } else {
            throw ((FileLookup.Failed) found).cause(); // Undertow answers 500, as for any handler's failure
        }
    }

    /** Answers with {@code opened}'s headers and body; true when its channel was handed to the sender, which closes it. */
    private boolean answer(HttpServerExchange exchange, StaticFileOptions options, String file, OpenedFile opened) {
        long size = opened.size();
        String type = mimeTypes.of(options).typeOf(file);
        HeaderMap headers = exchange.getResponseHeaders();
        headers.put(Headers.CONTENT_TYPE, type == null || type.isEmpty() ? OCTET_STREAM : type);
        // As lighttpd: a file of unknown type carries no validators, so a later type is not cached away.
        if (type != null && !type.isEmpty()) {
            FileTime modified = opened.modified();
            long seconds = modified.toInstant().getEpochSecond();
            String etag = EntityTag.of(options, opened.inode(), size, seconds, modified.toInstant().getNano());
            if (etag != null) {
                headers.put(Headers.ETAG, etag);
            }
            String lastModified = DateUtils.toDateString(new Date(seconds * 1000));
            headers.put(Headers.LAST_MODIFIED, lastModified);
            int precondition = Preconditions.check(exchange, etag, lastModified, seconds);
            if (precondition != 0) {
                if (precondition == StatusCodes.PRECONDITION_FAILED) {
                    headers.remove(Headers.CONTENT_TYPE);
                    headers.remove(Headers.ETAG);
                    headers.remove(Headers.LAST_MODIFIED);
                    ErrorPages.send(exchange, precondition);
                } else {
                    exchange.setStatusCode(precondition);
                    exchange.endExchange();
                }
                return false;
            }
        }
        return sendBody(exchange, opened.channel(), size);
    }

    /** Sends the body (or the ranges asked for) of {@code channel}; true when the channel went to the sender. */
    private static boolean sendBody(HttpServerExchange exchange, FileChannel channel, long size) {
        // The file closes when its exchange ends, whatever became of the sending: an HTTP/2 stream
        // cut while it waits for the client's window ends its exchange without a word to the sender.
        exchange.addExchangeCompleteListener((ex, next) -> {
            IoUtils.safeClose(channel);
            next.proceed();
        });
        boolean get = exchange.getRequestMethod().equals(Methods.GET);
        boolean rangesAllowed = !exchange.getProtocol().equals(Protocols.HTTP_1_0)
                && (get || exchange.getRequestMethod().equals(Methods.HEAD));
        HeaderMap headers = exchange.getResponseHeaders();
        if (rangesAllowed) {
            headers.put(Headers.ACCEPT_RANGES, "bytes");
        }
        List<long[]> ranges = get && rangesAllowed && size > 0 ? Preconditions.ranges(exchange, size) : null;
        if (ranges != null && ranges.isEmpty()) {
            headers.remove(Headers.CONTENT_TYPE);
            headers.remove(Headers.ETAG);
            headers.remove(Headers.LAST_MODIFIED);
            headers.remove(Headers.ACCEPT_RANGES);
            ErrorPages.send(exchange, StatusCodes.REQUEST_RANGE_NOT_SATISFIABLE);
            return false;
        }
        if (exchange.getRequestMethod().equals(Methods.HEAD) || size == 0) {
            headers.put(Headers.CONTENT_LENGTH, size);
            exchange.endExchange();
            return false;
        }
        if (ranges == null) {
            headers.put(Headers.CONTENT_LENGTH, size);
            exchange.getResponseSender().transferFrom(channel, IoCallback.END_EXCHANGE);
            return true;
        }
        PartsSender body = new PartsSender(channel);
        if (ranges.size() == 1) {
            long[] range = ranges.get(0);
            headers.put(Headers.CONTENT_RANGE, "bytes " + range[0] + "-" + range[1] + "/" + size);
            body.range(range[0], range[1]);
        } else {
            String partHead = "--" + BOUNDARY + "\r\nContent-Type: " + headers.getFirst(Headers.CONTENT_TYPE)
                    + "\r\nContent-Range: bytes ";
            for (long[] range : ranges) {
                body.text(partHead + range[0] + "-" + range[1] + "/" + size + "\r\n\r\n").range(range[0], range[1])
                        .text("\r\n");
            }
            body.text("--" + BOUNDARY + "--\r\n");
            headers.put(Headers.CONTENT_TYPE, "multipart/byteranges; boundary=" + BOUNDARY);
        }
        exchange.setStatusCode(StatusCodes.PARTIAL_CONTENT);
        headers.put(Headers.CONTENT_LENGTH, body.length());
        body.send(exchange);
        return true;
    }
}
