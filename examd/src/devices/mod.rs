//! Configured sensors and simulators: discovery, live status, capture and enrolment.
