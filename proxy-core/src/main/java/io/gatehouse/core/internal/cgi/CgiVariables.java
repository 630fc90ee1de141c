package io.gatehouse.core.internal.cgi;

/**
 * Where a request's CGI variables go as {@link CgiEnvironment} computes them: a map, or straight
 * into the bytes of the request head.
 *
 * @param <X> what putting a variable can fail with (RuntimeException for a map)
 */
@FunctionalInterface
public interface CgiVariables<X extends Exception> {

    void put(String name, String value) throws X;
}
