-- The certification register of electronic certified copies (sổ chứng thực, Decree
-- 45/2020/NĐ-CP art. 10(3)): numbers from 1 in each agency's book of the year, advanced in the
-- transaction that issues the copy, so they are unique and gap-free. See
-- crates/storage/src/documents.rs.
CREATE TABLE certification_register (
    agency     TEXT    NOT NULL,
    year       INTEGER NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (agency, year)
);
