package io.gatehouse.conf.internal;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;

/**
 * What one parse may consume over all its files together, so that a config that multiplies
 * itself (a glob including thousands of files, a value appended to itself, one condition per
 * line) fails with a {@code file:line:col} instead of exhausting the heap of the server it is
 * reloaded into. Every limit is far above real lighttpd configs, which are a few hundred lines.
 *
 * <p>Not thread-safe; one instance per parse.
 */
public final class ParseBudget {

    /** A conf.d of vhosts is tens of files, rarely hundreds; a thousand includes is a runaway glob. */
    public static final int MAX_INCLUDES = 1024;

    /** Four of the largest files: included files together are not much larger than one big config. */
    public static final long MAX_INCLUDED_BYTES = 4L * ConfigFileReader.MAX_FILE_BYTES;

    /** A generated mimetype.assign is ~6,000 tokens; each token costs ~60 bytes of heap until parsed. */
    public static final int MAX_TOKENS = 256 * 1024;

    /** Real configs hold tens of conditions, a few hundred with one per vhost; each is checked per request. */
    public static final int MAX_CONDITIONALS = 4096;

    /** Condition patterns together; a compiled regex costs tens of bytes per character. */
    public static final long MAX_PATTERN_CHARS = 256L * 1024;

    /** String characters and array entries held by all keys, 500 times a real config's; at most ~4 MiB of heap. */
    public static final long MAX_BOUND_CELLS = 1024L * 1024;

    private int includes;
    private long includedBytes;
    private int tokens;
    private int conditionals;
    private long patternChars;
    private long boundCells;

    /** One more included file or include_shell command. */
    void include(String what, SourceLocation at) throws ConfigException {
        includes++;
        if (includes > MAX_INCLUDES) {
            throw new ConfigException(at, what + " is include number " + includes + ", more than the limit of "
                    + MAX_INCLUDES + " includes, expected fewer (does a glob match too much?)");
        }
    }

    /** The text of an included file or command output, read. */
    void includedText(String what, String text, SourceLocation at) throws ConfigException {
        includedBytes += text.length();
        if (includedBytes > MAX_INCLUDED_BYTES) {
            throw new ConfigException(at, what + " brings the included text to " + includedBytes
                    + " characters, more than the limit of " + MAX_INCLUDED_BYTES + ", expected a smaller config");
        }
    }

    /** One more token lexed. */
    void token(SourceLocation at) throws ConfigException {
        tokens++;
        if (tokens > MAX_TOKENS) {
            throw new ConfigException(at, "token number " + tokens + " is more than the limit of " + MAX_TOKENS
                    + " tokens in all config files, expected a smaller config");
        }
    }

    /** One more condition, with its pattern. */
    void conditional(String pattern, SourceLocation at) throws ConfigException {
        conditionals++;
        if (conditionals > MAX_CONDITIONALS) {
            throw new ConfigException(at, "condition number " + conditionals + " is more than the limit of "
                    + MAX_CONDITIONALS + " conditions in all config files, expected fewer conditions");
        }
        patternChars += pattern.length();
        if (patternChars > MAX_PATTERN_CHARS) {
            throw new ConfigException(at, "condition patterns add up to " + patternChars
                    + " characters here, more than the limit of " + MAX_PATTERN_CHARS + ", expected shorter patterns");
        }
    }

    /** {@code key} now holds {@code value}, replacing {@code replaced} (null if none) in the same block. */
    void bind(String key, Value value, Value replaced, SourceLocation at) throws ConfigException {
        boundCells += ValueLimits.cells(value) - (replaced == null ? 0 : ValueLimits.cells(replaced));
        if (boundCells > MAX_BOUND_CELLS) {
            throw new ConfigException(at, "assigning '" + key + "' brings the characters and array entries held by"
                    + " all keys to " + boundCells + ", more than the limit of " + MAX_BOUND_CELLS
                    + ", expected a smaller config (are values copied into many blocks?)");
        }
    }
}
