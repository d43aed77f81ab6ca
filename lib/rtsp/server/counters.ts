/** The RTSP server's counters, shared by the server and its request handler. */
export interface RtspServerCounters {
  connections: number;
  requests: number;
  badRequests: number;
  authFailures: number;
  sessionsCreated: number;
  /** SETUPs answered 453: the server's or the connection's session bound was reached. */
  setupsRefused: number;
  sessionsTimedOut: number;
  /** Sessions ended by the client's TEARDOWN (the rest end with their connection or time out). */
  sessionsTornDown: number;
  rtcpReceived: number;
  rtcpFromUnknownSource: number;
  plisReceived: number;
  firsReceived: number;
  /** RTCP compounds carrying a NACK for a served stream, and packets resent in answer (UDP only). */
  nacksReceived: number;
  retransmissionsSent: number;
  slowViewersDropped: number;
}
