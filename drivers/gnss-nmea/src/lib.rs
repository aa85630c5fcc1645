//! RTK GNSS receiver over NMEA 0183 (nmea crate): fixes, heading, speed, WGS84 to the site's local ENU frame; simulator.
