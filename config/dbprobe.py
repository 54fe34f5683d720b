"""Print the PostgreSQL URL to test against, or nothing when none answers.

Used by `make test`: DATABASE_URL wins when set; otherwise a server answering on
127.0.0.1:5432 (the developer machine's and CI's) is used; otherwise SQLite.
"""

import os
import socket


def main() -> None:
    if os.environ.get("DATABASE_URL"):
        print(os.environ["DATABASE_URL"])
        return
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            print("postgres://postgres@127.0.0.1:5432/registry")
    except OSError:
        pass


if __name__ == "__main__":
    main()
