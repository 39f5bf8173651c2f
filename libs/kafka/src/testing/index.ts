/** Helpers for integration tests of other projects against a real broker; not for production code. */
export { topicOffsetsOnceLed } from './kafka-testing';
