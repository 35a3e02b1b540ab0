/**
 * Elastic Load Balancing facts the stack's listeners rest on. Imports nothing of the project's.
 */

/** Port of the HTTPS listener a certificate adds: 443, the port an `https` URL means when it names none (RFC 9110, section 4.2.2). */
export const HTTPS_LISTENER_PORT = 443;
