"""Background jobs: a solve (or any domain's work) runs in a worker process, reports live
progress, can be cancelled, and survives its worker dying. Sweeps of many variants run on
Dask distributed. Jobs know no domain: a domain names its job kinds on its ``Domain`` record.

Why the queue is the store's own ``job_status`` table rather than a task-queue library:

- the job's state must live beside the runs it produces, on SQLite *and* PostgreSQL, with
  the store's users and audit log. Huey's SQL storage (peewee) and procrastinate
  (PostgreSQL only), RQ and Dramatiq (Redis) and Celery (a broker, with an experimental
  SQLAlchemy transport) each add a second store and cover one of our two engines;
- a worker killed mid-solve must leave its job requeued or failed within a minute: that takes
  a lease (a heartbeat column), which none of them offers for SQL storage;
- cancelling a *running* solve must stop HiGHS and keep its best plan, which needs our own
  cooperative cancel, not a process kill.

Claiming is one conditional UPDATE (``... WHERE state = 'PENDING'``), safe on both engines;
the worker pool is ``multiprocessing``; sweeps use Dask distributed, as the project's rule for
work spread over machines requires.
"""
