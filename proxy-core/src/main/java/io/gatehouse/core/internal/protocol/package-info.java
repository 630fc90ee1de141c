/**
 * The wire protocols to backends behind one interface, {@link
 * io.gatehouse.core.internal.protocol.BackendProtocol}: how FastCGI, SCGI and uwsgi frame a
 * request (head, body pieces, end) and delimit a response ({@link
 * io.gatehouse.core.internal.protocol.ResponseReader}, which passes the CGI bytes to a {@link
 * io.gatehouse.core.internal.protocol.ResponseSink}). Byte work only: the gateway does the I/O.
 */
package io.gatehouse.core.internal.protocol;
