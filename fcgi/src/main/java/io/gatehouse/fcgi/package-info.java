/**
 * FastCGI 1.0 codec: record constants, name-value pairs, the client side (request generator,
 * response parser) and the server side (request parser, response generator). Pure: buffers in,
 * objects and callbacks out; no sockets or threads here.
 */
package io.gatehouse.fcgi;
