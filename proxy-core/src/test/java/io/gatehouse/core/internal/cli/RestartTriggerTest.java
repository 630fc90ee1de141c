package io.gatehouse.core.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class RestartTriggerTest {

    @Test
    void requestsDuringARestartAreMergedIntoOneMoreRestart() throws Exception {
        Semaphore proceed = new Semaphore(0);
        CountDownLatch firstStarted = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        RestartTrigger trigger = new RestartTrigger(() -> {
            runs.incrementAndGet();
            firstStarted.countDown();
            try {
                assertTrue(proceed.tryAcquire(10, TimeUnit.SECONDS), "never released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, new PrintStream(messages, true, StandardCharsets.UTF_8));

        trigger.request();
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        trigger.request();
        trigger.request();
        trigger.request();
        assertTrue(trigger.isBusy());
        proceed.release(2); // the running restart, then the one queued
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (trigger.isBusy() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(trigger.isBusy());
        assertEquals(2, runs.get(), "one restart ran, and exactly one more for the three requests during it");
        String text = messages.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("queued"), text);
        assertTrue(text.contains("merged"), text);
    }

    @Test
    void aRestartThatOverflowsTheStackIsAFailedRestartAndTheNextOneRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch secondRan = new CountDownLatch(1);
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        RestartTrigger trigger = new RestartTrigger(() -> {
            if (runs.incrementAndGet() == 1) {
                recurse(0);
            }
            secondRan.countDown();
        }, new PrintStream(messages, true, StandardCharsets.UTF_8));

        trigger.request();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (trigger.isBusy() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(trigger.isBusy(), "the trigger is ready for the next SIGUSR1");
        String text = messages.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("restart failed: java.lang.StackOverflowError"), text);
        trigger.request();
        assertTrue(secondRan.await(10, TimeUnit.SECONDS), "the next restart ran");
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
