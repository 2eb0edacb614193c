/* scram_verifier_matches(): verifiers computed independently (Python's
 * hashlib, RFC 5802 formulas) and one made by a real PostgreSQL 15 server. */
#include "unit.h"

#include "cli/scram.h"

struct row {
	const char *name;
	const char *verifier;
	const char *password;
	bool match;
};

static const struct row rows[] = {
	{ "nasty ASCII password matches",
	  "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$tyzieNrw5Q5prpQtWyJ8f6trqfFodWqxBBRq85ikQtA=:SEFngcZGVGdC+LFWKgxO80mLzBQReNMw+CC09iVhyi8=",
	  "e2e-Repl:pass\\word\"1", true },
	{ "one character off does not match",
	  "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$tyzieNrw5Q5prpQtWyJ8f6trqfFodWqxBBRq85ikQtA=:SEFngcZGVGdC+LFWKgxO80mLzBQReNMw+CC09iVhyi8=",
	  "e2e-Repl:pass\\word\"2", false },
	{ "one-letter password",
	  "SCRAM-SHA-256$4096:YWJjZGVmZ2hpamtsbW5vcA==$1fOC5Jg8ooI6dLX9tPhqOlo+bTwy8BUQOj7ycKMfYjA=:4fY5jhB4JaX8crjKUASB9s/14eFt9f+/VJ0fMUpNjSI=",
	  "x", true },
	{ "other iteration count",
	  "SCRAM-SHA-256$1000:MDEyMzQ1Njc4OWFiY2RlZg==$VYLU+kdsyj6dwA/l2kd+yP9TTN80Xbc9cfdYu03/Ddc=:j73j6duA/Q5zBIQXHYtMjBmtveH9REOlElohVESzawU=",
	  "p\xc3\xa4ssw\xc3\xb6rd", true },
	{ "verifier made by PostgreSQL 15",
	  "SCRAM-SHA-256$4096:PfdX1jfdAlippF9dFMWVDA==$vVe+3CFsoOzbDm7HoCaz+NRx70dQl0lR5AO/PtnVjWw=:8RrqhUj9+JuUwwSjU6LG9HfqO7xMaTYQ/DJ2oEUGjcA=",
	  "real-PG p\xc3\xa4ssword:\"1", true },
	{ "PostgreSQL verifier, wrong password",
	  "SCRAM-SHA-256$4096:PfdX1jfdAlippF9dFMWVDA==$vVe+3CFsoOzbDm7HoCaz+NRx70dQl0lR5AO/PtnVjWw=:8RrqhUj9+JuUwwSjU6LG9HfqO7xMaTYQ/DJ2oEUGjcA=",
	  "real-PG password:\"1", false },
	{ "empty verifier (no password set)", "", "x", false },
	{ "md5 verifier is never a match", "md5a4b3b4a0bd2f4b4c8cb5c8c3f0b8c2f1", "x", false },
	{ "missing iteration count",
	  "SCRAM-SHA-256$:YWJjZGVmZ2hpamtsbW5vcA==$1fOC5Jg8ooI6dLX9tPhqOlo+bTwy8BUQOj7ycKMfYjA=:4fY5",
	  "x", false },
	{ "salt not base64",
	  "SCRAM-SHA-256$4096:***$1fOC5Jg8ooI6dLX9tPhqOlo+bTwy8BUQOj7ycKMfYjA=:4fY5", "x", false },
	{ "no server key part",
	  "SCRAM-SHA-256$4096:YWJjZGVmZ2hpamtsbW5vcA==$1fOC5Jg8ooI6dLX9tPhqOlo+bTwy8BUQOj7ycKMfYjA=",
	  "x", false },
	{ "truncated stored key",
	  "SCRAM-SHA-256$4096:YWJjZGVmZ2hpamtsbW5vcA==$1fOC5Jg8ooI6dLX9:4fY5", "x", false },
	{ "absurd iteration count refused",
	  "SCRAM-SHA-256$999999999:YWJjZGVmZ2hpamtsbW5vcA==$1fOC5Jg8ooI6dLX9tPhqOlo+bTwy8BUQOj7ycKMfYjA=:4fY5",
	  "x", false },
};

static const char *row_name(const void *r)
{
	return ((const struct row *)r)->name;
}

static void test_row(void **state)
{
	const struct row *r = *state;

	assert_int_equal(scram_verifier_matches(r->verifier, r->password), r->match);
}

int main(void)
{
	return run_table("scram", test_row, (void *)rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), row_name);
}
