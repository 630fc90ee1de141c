/**
 * A blocking, thread-per-connection FastCGI responder built on the codec: the server side used by
 * tests and by the built-in demo backend.
 */
package io.gatehouse.fcgi.responder;
