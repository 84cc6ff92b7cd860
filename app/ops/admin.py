"""`herald users ...`: the operator's way in when nobody can sign in as an admin."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from app.services import users
from app.services.email_address import normalize_email
from app.services.errors import ServiceError


def add_user_commands(sub: argparse._SubParsersAction) -> None:
    create = sub.add_parser("create-admin", help="create an instance admin (or promote a user)")
    create.add_argument("email")
    create.add_argument("--name", default="", help="full name")
    reset = sub.add_parser(
        "reset-password", help="print a one-time link to set a new password, or set one"
    )
    reset.add_argument("email")
    reset.add_argument(
        "--set", action="store_true", help="set the password now (asked for, or from stdin)"
    )
    sub.add_parser("list", help="everyone on this instance")


def _password(prompt: str) -> str:
    """From HERALD_NEW_PASSWORD, else the terminal (asked twice), else one line of stdin."""
    if os.environ.get("HERALD_NEW_PASSWORD"):
        return os.environ["HERALD_NEW_PASSWORD"]
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The passwords differ; nothing changed.")
    return first


def users_command(args: argparse.Namespace) -> int:
    try:
        if args.users_command == "create-admin":
            new = not _exists(args.email)
            password = _password(f"Password for {args.email}: ") if new else ""
            user, created = users.create_admin(args.email, password, args.name)
            print(f"{user.email} is {'a new' if created else 'now an'} instance admin")
        elif args.users_command == "reset-password":
            if args.set:
                ended = users.set_password(args.email, _password("New password: "))
                print(f"password of {args.email} set; {ended} session(s) signed out")
            else:
                print(users.reset_link(args.email))
                print("One-time link, valid 24 h; it stops working once used.", file=sys.stderr)
        else:
            _print_table(users.all_users())
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


def _exists(email: str) -> bool:
    wanted = normalize_email(email)
    return any(u.email == wanted for u in users.all_users())


def _print_table(rows: list[users.UserView]) -> None:
    print(f"{'EMAIL':<36} {'ADMIN':<6} {'ACTIVE':<7} {'WORKSPACES':<11} {'LAST SIGN-IN':<17}")
    for u in rows:
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never"
        print(
            f"{u.email:<36} {'yes' if u.is_instance_admin else 'no':<6} "
            f"{'yes' if u.is_active else 'no':<7} {u.workspaces:<11} {last:<17}"
        )
