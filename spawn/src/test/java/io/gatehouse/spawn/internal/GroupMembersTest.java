package io.gatehouse.spawn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The looks a stop finds a process group's members with, over real processes in a session of
 * their own; where the race between /proc's entries and a member's fork matters, the test decides
 * what each reading of the entries holds.
 */
class GroupMembersTest {

    private final StartedProcesses processes = new StartedProcesses();

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        processes.killAll();
    }

    @Test
    void aChildForkedWhileTheListingRanIsFoundByTheNextReadingOfTheEntries() throws Exception {
        long group = startGroup("echo ready; exec sleep 30").pid();
        String member = Long.toString(group);
        String[] now = entries();
        // The first reading was made before the member existed; the next one has it.
        ReadingsInTurn readings = new ReadingsInTurn(without(now, member), now);

        assertEquals(List.of(group), new GroupMembers(group, readings, System::nanoTime).look());
        assertEquals(2, readings.made(), "found by the second reading");
    }

    @Test
    void aGroupWithNoLiveMemberIsConfirmedByOneFurtherReadingThatBringsNoNewPid() {
        long noSuchGroup = Integer.MAX_VALUE;
        String[] now = entries();
        ReadingsInTurn readings = new ReadingsInTurn(now, now, now);

        assertEquals(List.of(), new GroupMembers(noSuchGroup, readings, System::nanoTime).look());
        assertEquals(2, readings.made());
    }

    @Test
    void onAMachineThatKeepsForkingTheReadingsAreBounded() {
        String[] now = entries();
        AtomicInteger made = new AtomicInteger();
        // every reading brings a pid not seen before (beyond any pid_max, so no stat of it exists)
        Supplier<String[]> forking = () -> with(now, Integer.toString(900_000_000 + made.incrementAndGet()));

        assertEquals(List.of(), new GroupMembers(Integer.MAX_VALUE, forking, System::nanoTime).look());
        assertEquals(1 + GroupMembers.MAX_REREADS, made.get());
    }

    @Test
    void everyLiveMemberIsFoundAndNoneOnceTheGroupIsGone() throws Exception {
        Group group = startGroup("sleep 30 & sleep 30 & echo ready; wait");

        List<Long> members = new GroupMembers(group.pid()).look();
        assertEquals(3, members.size(), "the shell and its two children: " + members);
        assertTrue(members.contains(group.pid()), members.toString());

        group.process().descendants().forEach(ProcessHandle::destroyForcibly);
        // the shell's wait reaps its children, then it ends, and the JDK reaps it
        assertTrue(group.process().waitFor(5, TimeUnit.SECONDS));
        assertEquals(List.of(), new GroupMembers(group.pid()).look());
    }

    @Test
    void aLaterLookFindsWhatWasForkedSinceAndNotWhatWasSeenBefore() throws Exception {
        Group group = startGroup("echo ready; read fork; sleep 30 & echo $!; wait");
        GroupMembers members = new GroupMembers(group.pid());
        assertEquals(List.of(group.pid()), members.look());

        long forked = group.fork();

        assertEquals(List.of(forked), members.look(), "the shell was seen at the first look");
        assertEquals(List.of(), members.look(), "nothing new since");
    }

    @Test
    void aLookAfterTheListingGrewOldListsEveryProcessAgain() throws Exception {
        Group group = startGroup("echo ready; read fork; sleep 30 & echo $!; wait");
        long[] now = {0};
        GroupMembers members = new GroupMembers(group.pid(), ProcFs::entries, () -> now[0]);
        assertEquals(List.of(group.pid()), members.look());
        long forked = group.fork();

        now[0] = GroupMembers.RELIST_AFTER_NANOS + 1;

        List<Long> found = members.look();
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.containsAll(List.of(group.pid(), forked)), found.toString());
    }

    /** Starts {@code script} as the leader of a new session and group, once it printed "ready". */
    private Group startGroup(String script) throws IOException {
        Process process = processes.start(new ProcessBuilder("setsid", "sh", "-c", script).redirectErrorStream(true));
        Group group = new Group(process, new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII)));
        assertEquals("ready", group.output().readLine());
        // not a group leader when started, setsid made its session in place: same pid
        assertEquals(process.pid(), ProcFs.stat(process.pid()).orElseThrow().processGroup());
        return group;
    }

    private record Group(Process process, BufferedReader output) {
        long pid() {
            return process.pid();
        }

        /** Has the shell fork a member; returns its pid. */
        long fork() throws IOException {
            process.getOutputStream().write('\n');
            process.getOutputStream().flush();
            return Long.parseLong(output.readLine().trim());
        }
    }

    private static String[] entries() {
        String[] names = ProcFs.entries();
        assertTrue(names.length > 0);
        return names;
    }

    private static String[] without(String[] names, String name) {
        return Arrays.stream(names).filter(n -> !n.equals(name)).toArray(String[]::new);
    }

    private static String[] with(String[] names, String name) {
        String[] more = Arrays.copyOf(names, names.length + 1);
        more[names.length] = name;
        return more;
    }

    /** Gives its readings one after the other, the last one again once they run out. */
    private static final class ReadingsInTurn implements Supplier<String[]> {
        private final String[][] readings;
        private int made;

        ReadingsInTurn(String[]... readings) {
            this.readings = readings;
        }

        @Override
        public String[] get() {
            return readings[Math.min(made++, readings.length - 1)];
        }

        int made() {
            return made;
        }
    }
}
