-- Load manifest, quarantine and expectation results: carried from snapshot to snapshot.
create table if not exists load_batches (
    batch_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp,
    snapshot_id varchar,
    outcome varchar not null,
    is_synthetic boolean not null,
    n_files integer not null,
    rows_read bigint not null,
    rows_inserted bigint not null,
    rows_updated bigint not null,
    rows_unchanged bigint not null,
    rows_quarantined bigint not null,
    rows_duplicate bigint not null
);
create table if not exists load_files (
    batch_id varchar not null,
    file_name varchar not null,
    sheet varchar,
    file_sha256 varchar not null,
    table_name varchar not null,
    rows_read bigint not null,
    rows_inserted bigint not null,
    rows_updated bigint not null,
    rows_unchanged bigint not null,
    rows_quarantined bigint not null,
    rows_duplicate bigint not null,
    dropped_identifiers varchar[],
    unknown_columns varchar[]
);
create table if not exists quarantine (
    batch_id varchar not null,
    table_name varchar not null,
    source varchar not null,
    source_row integer not null,
    reasons varchar not null,
    row_values json not null,
    quarantined_at timestamp not null
);
create table if not exists load_expectations (
    batch_id varchar not null,
    table_name varchar not null,
    source varchar not null,
    expectation varchar not null,
    column_name varchar,
    success boolean not null,
    unexpected_count bigint not null
);
create or replace table programme_settings (
    name varchar primary key,
    value double not null
);
