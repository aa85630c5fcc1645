//! Question banks, paper assembly and the theory exam rules (Subject 1, safety theory). Pure.
