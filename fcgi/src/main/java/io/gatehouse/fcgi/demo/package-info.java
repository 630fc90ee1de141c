/**
 * The built-in demo backend: a FastCGI responder process that answers every request with a page
 * showing what it received, so a new installation shows the whole path working without PHP.
 */
package io.gatehouse.fcgi.demo;
