"""DATABASE_URL is read by dj-database-url: every form a hosting provider hands out
works, query options reach psycopg, and anything but Postgres stops start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from painapp.env import database_from_url


def test_it_keeps_tls_options_from_the_query_string():
    db = database_from_url(
        "postgres://app:pw@db.example.net:5432/painapp"
        "?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem"
    )
    assert db["OPTIONS"]["sslmode"] == "verify-full"
    assert db["OPTIONS"]["sslrootcert"] == "/etc/ssl/db-ca.pem"
    # Ours stay alongside: the pool, and the session settings.
    assert db["OPTIONS"]["pool"] == {"timeout": 5}
    assert db["OPTIONS"]["options"] == "-c jit=off -c random_page_cost=1.1"


def test_it_reads_a_socket_folder_given_as_a_percent_encoded_host():
    db = database_from_url("postgresql://painapp@%2Frun%2Fpostgresql/painapp")
    assert db["HOST"] == "/run/postgresql" and db["NAME"] == "painapp"


def test_it_adds_session_options_from_the_url_to_ours():
    db = database_from_url("postgres://u@h/painapp?options=-c%20statement_timeout%3D5000")
    assert db["OPTIONS"]["options"] == (
        "-c jit=off -c random_page_cost=1.1 -c statement_timeout=5000"
    )


def test_it_reads_an_ipv6_host_and_the_pgsql_scheme():
    db = database_from_url("pgsql://u:p@[2001:db8::5]:6432/painapp")
    assert db["HOST"] == "2001:db8::5" and db["PORT"] == "6432"
    assert db["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "url",
    ["sqlite:///db.sqlite3", "mysql://u:p@h/painapp", "postgis://u@h/painapp", "redis://h:6379/0"],
)
def test_it_refuses_every_other_database_naming_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL scheme '\w+' is not supported"):
        database_from_url(url)


def test_a_malformed_url_is_refused_without_quoting_the_password():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not a valid URL") as error:
        database_from_url("postgres://app:hunter2-secret@db:notaport/painapp")
    assert "hunter2" not in str(error.value)
