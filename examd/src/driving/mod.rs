//! Subject 2 and 3 judging in the daemon: `examd judge`, the live car path, replay pictures.
