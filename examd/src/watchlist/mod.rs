//! The black-list gallery: 1:N search at the gate and at enrolment.
