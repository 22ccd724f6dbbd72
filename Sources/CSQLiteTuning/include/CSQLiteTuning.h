#ifndef CSQLITETUNING_H
#define CSQLITETUNING_H

/// Turns off SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS): with them on, every allocation SQLite makes
/// takes a global mutex. Must run before SQLite is first used (sqlite3_config is variadic, so Swift cannot
/// call it). Returns the sqlite3_config result (SQLITE_MISUSE once SQLite is initialized: harmless).
int switchboard_sqlite_disable_memstatus(void);

#endif
