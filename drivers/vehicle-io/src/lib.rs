//! The car's signal collector over Modbus RTU: gear, brakes, signals, belts, doors; simulator.
