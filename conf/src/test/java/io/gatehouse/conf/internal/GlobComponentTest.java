package io.gatehouse.conf.internal;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class GlobComponentTest {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "*.conf      | php.conf    | true",
            "*.conf      | php.conf.1  | false",
            "*           | ''          | true",
            "?           | ''          | false",
            "p?p.conf    | php.conf    | true",
            "*h*.conf    | php.conf    | true",
            "*x*         | php.conf    | false",
            "[0-9]*.conf | 10-php.conf | true",
            "[0-9]*.conf | php.conf    | false",
            "[!0-9]*     | php.conf    | true",
            "[^0-9]*     | 10-php.conf | false",
            "[]x]        | ]           | true",
            "[!]x]       | ]           | false",
            "[!]x]       | a           | true",
            "[^]]        | ]           | false",
            "[ab-]       | -           | true",
            "\\*.conf    | *.conf      | true",
            "\\*.conf    | a.conf      | false",
            "a[b         | a[b         | true",
            "**a**b**    | xaxxbx      | true",
            "*ab         | aab         | true",
            "*ab         | aba         | false",
    })
    void matchesAsGlobThree(String pattern, String name, boolean expected) {
        assertEquals(expected, GlobComponent.compile(pattern).matches(name));
    }

    /** Found by ConfigParserFuzzTest: as a regex, each '*' multiplied the backtracking. */
    @Test
    void globOfManyStarsIsMatchedInLinearTime() {
        GlobComponent manyStars = GlobComponent.compile("loo" + "*".repeat(60) + "p");
        GlobComponent starsBetweenLetters = GlobComponent.compile("*a".repeat(40) + "b");
        String longName = "a".repeat(255);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(manyStars.matches("loop.conf"));
            assertFalse(starsBetweenLetters.matches(longName));
        });
    }
}
