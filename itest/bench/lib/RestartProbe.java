import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a restart costs the clients of a front end, one line per restart. Run by scenarios.sh as a
 * single-file program ({@code java RestartProbe.java run ...}; {@code report FILE} turns the lines
 * into the results table).
 *
 * <p>{@code run URL PID CONNECTIONS WARMUP_MS RESTARTS INTERVAL_MS SERVER ROUND}: CONNECTIONS
 * keep-alive clients request URL (a page that prints the pid of the PHP process answering)
 * without pause; after WARMUP_MS, PID gets SIGUSR1 RESTARTS times, INTERVAL_MS apart. For each
 * restart it prints: the longest interval without a completed request after the signal (and the
 * longest before the first signal, for scale), the extra latency of the slowest request completed
 * in the interval (over the median before the first signal), failed requests, keep-alive
 * connections the server closed, the time from the signal until every old descendant of PID has
 * exited and until the first answer from a process that was not there before, the number of
 * requests completed in the interval, and the worst extra latency of interval-long windows before
 * the first signal (the same figure with no restart, for scale).
 */
public final class RestartProbe {

    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    record Done(long startNanos, long endNanos, int status, long pid) {
    }

    private static final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<Long> closedAt = new ConcurrentLinkedQueue<>();
    private static volatile boolean running = true;

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("report")) {
            RestartReport.print(Files.readAllLines(Path.of(args[1])));
            return;
        }
        if (args.length == 2 && args[0].equals("steps")) {
            RestartReport.printSteps(Files.readAllLines(Path.of(args[1])));
            return;
        }
        if (args.length != 9 || !args[0].equals("run")) {
            System.err.println("usage: RestartProbe run URL PID CONNECTIONS WARMUP_MS RESTARTS INTERVAL_MS SERVER ROUND"
                    + " | RestartProbe report FILE | RestartProbe steps FILE");
            System.exit(2);
        }
        URI url = URI.create(args[1]);
        long frontPid = Long.parseLong(args[2]);
        int connections = Integer.parseInt(args[3]);
        long warmupMillis = Long.parseLong(args[4]);
        int restarts = Integer.parseInt(args[5]);
        long intervalMillis = Long.parseLong(args[6]);

        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread client = new Thread(() -> clientLoop(url), "client-" + i);
            client.setDaemon(true);
            client.start();
            clients.add(client);
        }
        Thread.sleep(warmupMillis);
        long quietFrom = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(warmupMillis / 2);
        List<long[]> signals = new ArrayList<>();
        List<Set<Long>> oldPids = new ArrayList<>();
        List<long[]> exited = new ArrayList<>();
        for (int k = 0; k < restarts; k++) {
            Set<Long> before = descendants(frontPid);
            long[] exitedAt = {0};
            long signalled = System.nanoTime();
            new ProcessBuilder("kill", "-USR1", Long.toString(frontPid)).inheritIO().start().waitFor();
            Thread watcher = new Thread(() -> exitedAt[0] = awaitGone(before, signalled + intervalNanos(intervalMillis)));
            watcher.start();
            Thread.sleep(intervalMillis);
            watcher.join();
            signals.add(new long[] {signalled});
            oldPids.add(before);
            exited.add(exitedAt);
        }
        running = false;
        for (Thread client : clients) {
            client.join(READ_TIMEOUT_MILLIS + 1000);
        }
        long end = System.nanoTime();
        List<Done> all = new ArrayList<>(done);
        all.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
        long firstSignal = signals.get(0)[0];
        List<Done> quiet = all.stream().filter(d -> d.endNanos() >= quietFrom && d.endNanos() < firstSignal).toList();
        long quietGap = longestGap(all, quietFrom, firstSignal);
        long medianLatency = median(quiet.stream().map(d -> d.endNanos() - d.startNanos()).toList());
        long quietExtra = worstExtraLatency(all, quietFrom, firstSignal, intervalNanos(intervalMillis), medianLatency);
        for (int k = 0; k < restarts; k++) {
            long from = signals.get(k)[0];
            long to = k + 1 < restarts ? signals.get(k + 1)[0] : end;
            List<Done> window = all.stream().filter(d -> d.endNanos() >= from && d.endNanos() < to).toList();
            long slowest = slowestLatency(window);
            long failed = window.stream().filter(d -> d.status() != 200).count();
            long closed = closedAt.stream().filter(t -> t >= from && t < to).count();
            Set<Long> old = oldPids.get(k);
            long firstNew = window.stream().filter(d -> d.status() == 200 && d.pid() > 0 && !old.contains(d.pid()))
                    .mapToLong(d -> d.endNanos() - from).findFirst().orElse(-1);
            long exitedAfter = exited.get(k)[0] > 0 ? exited.get(k)[0] - from : -1;
            System.out.println(String.join("\t", args[7], args[8], Integer.toString(k + 1),
                    millis(longestGap(all, from, to)), millis(quietGap), millis(Math.max(0, slowest - medianLatency)),
                    Long.toString(failed), Long.toString(closed), old.isEmpty() ? "-" : millis(exitedAfter),
                    old.isEmpty() ? "-" : millis(firstNew), Integer.toString(window.size()), millis(quietExtra)));
        }
    }

    /**
     * The extra latency of the slowest request over {@code median} in each interval-long window of
     * [from, to) with no restart in it, the worst of them (-1, shown as "-", when no window fits):
     * what a restart's figure is measured against (32 clients queued on 4 workers make the slowest
     * request of any 2 s a few ms slower than the median even with no restart).
     */
    private static long worstExtraLatency(List<Done> all, long from, long to, long window, long median) {
        long worst = -1;
        for (long windowStart = from; windowStart + window <= to; windowStart += window) {
            long start = windowStart;
            long end = start + window;
            long slowest = slowestLatency(all.stream().filter(d -> d.endNanos() >= start && d.endNanos() < end).toList());
            worst = Math.max(worst, Math.max(0, slowest - median));
        }
        return worst;
    }

    /** The longest start-to-end time of {@code completed}; 0 when it is empty. */
    private static long slowestLatency(List<Done> completed) {
        return completed.stream().mapToLong(d -> d.endNanos() - d.startNanos()).max().orElse(0);
    }

    private static long intervalNanos(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static String millis(long nanos) {
        return nanos < 0 ? "-" : String.format("%.1f", nanos / 1e6);
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** The longest interval without a successful completion that ends in [from, to). */
    private static long longestGap(List<Done> sortedByEnd, long from, long to) {
        long previous = -1;
        long longest = 0;
        for (Done d : sortedByEnd) {
            if (d.status() != 200) {
                continue;
            }
            if (previous >= 0 && d.endNanos() >= from && d.endNanos() < to) {
                longest = Math.max(longest, d.endNanos() - Math.max(previous, from));
            }
            previous = d.endNanos();
            if (previous >= to) {
                break;
            }
        }
        return longest;
    }

    /** Every process below {@code root}, from the parent pids in /proc. */
    private static Set<Long> descendants(long root) throws IOException {
        Map<Long, Long> parents = new LinkedHashMap<>();
        try (var entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    parents.put(Long.parseLong(entry.getFileName().toString()), Long.parseLong(fields[1]));
                } catch (IOException | RuntimeException e) {
                    // exited while listed
                }
            }
        }
        Set<Long> found = new HashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map.Entry<Long, Long> e : parents.entrySet()) {
                if ((e.getValue() == root || found.contains(e.getValue())) && found.add(e.getKey())) {
                    grew = true;
                }
            }
        }
        return found;
    }

    /**
     * When the last of {@code pids} exited (a zombie or gone from /proc), polled every
     * millisecond; 0 if not by {@code deadline}. Exited, not reaped: orphaned workers are reaped
     * by PID 1, whenever it gets to it.
     */
    private static long awaitGone(Set<Long> pids, long deadline) {
        Set<Long> left = new HashSet<>(pids);
        while (System.nanoTime() < deadline) {
            left.removeIf(RestartProbe::exited);
            if (left.isEmpty()) {
                return System.nanoTime();
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return 0;
            }
        }
        return 0;
    }

    private static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    private static void clientLoop(URI url) {
        byte[] request = ("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        while (running) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), READ_TIMEOUT_MILLIS);
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                while (running) {
                    long start = System.nanoTime();
                    out.write(request);
                    out.flush();
                    Response response = Response.read(in);
                    if (response == null) {
                        closedAt.add(System.nanoTime());
                        break;
                    }
                    done.add(new Done(start, System.nanoTime(), response.status(), response.pid()));
                    if (response.closes()) {
                        closedAt.add(System.nanoTime());
                        break;
                    }
                }
            } catch (IOException e) {
                long now = System.nanoTime();
                done.add(new Done(now, now, 0, 0));
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One HTTP/1.1 response: Content-Length or chunked body; the body's digits are the answering pid. */
    record Response(int status, long pid, boolean closes) {

        /** Null when the server closed the connection before a response began. */
        static Response read(InputStream in) throws IOException {
            String head = readHead(in);
            if (head == null) {
                return null;
            }
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
            byte[] body = headers.containsKey("content-length")
                    ? in.readNBytes(Integer.parseInt(headers.get("content-length")))
                    : "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? readChunked(in) : in.readAllBytes();
            String digits = new String(body, StandardCharsets.ISO_8859_1).chars().filter(Character::isDigit)
                    .limit(12).mapToObj(c -> String.valueOf((char) c)).collect(Collectors.joining());
            boolean closes = "close".equalsIgnoreCase(headers.get("connection")) || !headers.containsKey("content-length")
                    && !headers.containsKey("transfer-encoding");
            return new Response(status, digits.isEmpty() ? 0 : Long.parseLong(digits), closes);
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.length() < MAX_HEAD_BYTES) {
                int c = in.read();
                if (c < 0) {
                    if (head.length() == 0) {
                        return null;
                    }
                    throw new IOException("connection closed inside a response head");
                }
                head.append((char) c);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                    return head.substring(0, head.length() - 4);
                }
            }
            throw new IOException("response head over " + MAX_HEAD_BYTES + " bytes");
        }

        private static byte[] readChunked(InputStream in) throws IOException {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                int length = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (length == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(length));
                readLine(in);
            }
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}

/** The markdown table of the per-restart lines: medians and worst values per server. */
final class RestartReport {


    private RestartReport() {
    }

    static void print(List<String> lines) {
        Map<String, List<String[]>> byServer = byServer(lines, 11);
        System.out.println("| server | restarts | longest gap ms (median / max) | same, before the first restart"
                + " | extra latency ms (median / max) | same, before the first restart | failed | closed keep-alive"
                + " | old children exited ms (median / max) | first answer from a new child ms (median / max) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<String[]>> e : byServer.entrySet()) {
            List<String[]> rows = e.getValue();
            System.out.println("| " + e.getKey() + " | " + rows.size() + " | " + medianMax(rows, 3) + " | "
                    + medianMax(rows, 4) + " | " + medianMax(rows, 5) + " | " + medianMax(rows, 11) + " | "
                    + sum(rows, 6) + " | " + sum(rows, 7) + " | " + medianMax(rows, 8) + " | " + medianMax(rows, 9) + " |");
        }
    }

    /** The table of gatehouse's own step timings (scenarios.sh, gatehouse_restart_steps), per server. */
    static void printSteps(List<String> lines) {
        Map<String, List<String[]>> byServer = byServer(lines, 9);
        System.out.println("| server | restarts | drain | stop the old backends | last old child reaped"
                + " | new children spawned | gate opened | restart took |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<String[]>> e : byServer.entrySet()) {
            List<String[]> rows = e.getValue();
            System.out.println("| " + e.getKey() + " | " + rows.size() + " | " + medianMax(rows, 3) + " | "
                    + medianMax(rows, 4) + " | " + medianMax(rows, 5) + " | " + medianMax(rows, 6) + " | "
                    + medianMax(rows, 7) + " | " + medianMax(rows, 8) + " |");
        }
    }

    private static Map<String, List<String[]>> byServer(List<String> lines, int fields) {
        Map<String, List<String[]>> byServer = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length >= fields) {
                byServer.computeIfAbsent(f[0], s -> new ArrayList<>()).add(f);
            }
        }
        return byServer;
    }

    private static String medianMax(List<String[]> rows, int column) {
        // column 11 came later: older lines lack it
        List<Double> values = rows.stream().filter(r -> column < r.length).map(r -> r[column]).filter(v -> !v.equals("-"))
                .map(Double::parseDouble).sorted().toList();
        if (values.isEmpty()) {
            return "-";
        }
        return String.format("%.1f / %.1f", values.get(values.size() / 2), values.get(values.size() - 1));
    }

    private static long sum(List<String[]> rows, int column) {
        return rows.stream().mapToLong(r -> Long.parseLong(r[column])).sum();
    }
}
