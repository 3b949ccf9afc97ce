-- Cun'an village store: the one source of truth for the schema.
--
-- The file is a list of numbered migrations, each starting with a line `-- migration: N`.
-- A store records the last migration it has applied in `PRAGMA user_version`; opening a store
-- applies the later ones, all in one transaction. A released migration is never edited: change
-- the schema by appending a new one.
--
-- Every row that syncs carries the same five columns:
--   id           UUIDv7, made by the device that created the row
--   village_code the village's 12-digit 统计用区划代码
--   hlc          hybrid logical clock of the last write, "WWWWWWWWWWWWW-CCCCCC" (ms-counter); sorts as text
--   device_id    the device that made the last write
--   deleted      tombstone: rows are never hard-deleted, so deletes can sync
-- Every local write to such a row also appends its new state to change_log in the same transaction.
-- Column types BOOLEAN and JSON are read back as booleans and parsed JSON by the core.

-- migration: 1

-- This device: one row, made when the store is created. Never synced.
CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL,
    last_hlc    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Every local write, in order. `pushed` is set when the county acknowledges it.
CREATE TABLE change_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name  TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    hlc         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    data        JSON NOT NULL,
    pushed      BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX change_log_unpushed ON change_log (pushed, seq);

-- 行政村(社区)
CREATE TABLE village (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    code                  TEXT NOT NULL,            -- 12-digit 统计用区划代码
    name                  TEXT NOT NULL,
    township              TEXT NOT NULL DEFAULT '', -- 乡镇(街道)
    county                TEXT NOT NULL DEFAULT '', -- 县(区)
    province_city         TEXT NOT NULL DEFAULT '', -- 省、市, for the card's place line
    population            INTEGER,
    household_count       INTEGER,
    hazard_kinds          JSON NOT NULL DEFAULT '[]',
    comms_guaranteed      BOOLEAN NOT NULL DEFAULT 1, -- if not, the kit must hold a satellite phone
    party_secretary       TEXT NOT NULL DEFAULT '', -- 村党组织书记
    party_secretary_phone TEXT NOT NULL DEFAULT '',
    officer_name          TEXT NOT NULL DEFAULT '', -- 村应急管理员
    officer_phone         TEXT NOT NULL DEFAULT '',
    note                  TEXT NOT NULL DEFAULT ''
);

-- 网格
CREATE TABLE grid (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name        TEXT NOT NULL,
    area        TEXT NOT NULL DEFAULT '',   -- which groups / streets it covers
    note        TEXT NOT NULL DEFAULT ''
);

-- 网格员
CREATE TABLE grid_member (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    grid_id     TEXT NOT NULL REFERENCES grid (id),
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '网格员'  -- 网格长 / 网格员
);

-- 隐患点 / 风险点
CREATE TABLE hazard_site (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    hazard        TEXT NOT NULL,             -- flood | geological | forest-fire | fire | earthquake | other
    site_type     TEXT NOT NULL DEFAULT '',  -- 山塘水库 / 低洼易涝点 / 地质灾害隐患点 / 危旧房 / 在建工地 / 山洪沟 ...
    location      TEXT NOT NULL DEFAULT '',
    risk_color    TEXT NOT NULL DEFAULT '',  -- 五色图: red | orange | yellow | blue | green
    monitor_name  TEXT NOT NULL DEFAULT '',
    monitor_phone TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT ''
);

-- 户
CREATE TABLE household (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    grid_id         TEXT REFERENCES grid (id),
    head_name       TEXT NOT NULL,           -- 户主
    address         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    house_type      TEXT NOT NULL DEFAULT '', -- 砖混 / 砖木 / 土木 / 钢混 / 其他
    in_danger_zone  BOOLEAN NOT NULL DEFAULT 0, -- 危险区内
    note            TEXT NOT NULL DEFAULT ''
);

-- Which hazard sites threaten which household.
CREATE TABLE household_hazard (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    household_id    TEXT NOT NULL REFERENCES household (id),
    hazard_site_id  TEXT NOT NULL REFERENCES hazard_site (id)
);

-- 居民
CREATE TABLE resident (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    household_id  TEXT NOT NULL REFERENCES household (id),
    name          TEXT NOT NULL,
    relation      TEXT NOT NULL DEFAULT '',  -- 与户主关系
    gender        TEXT NOT NULL DEFAULT '',  -- 男 / 女
    birth_date    TEXT,                      -- YYYY-MM-DD
    id_number     TEXT NOT NULL DEFAULT '',  -- 18-digit 居民身份证号; masked on printouts
    phone         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT ''
);

-- 重点人群: vulnerable people and who helps each of them evacuate.
CREATE TABLE vulnerable_person (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    resident_id   TEXT NOT NULL REFERENCES resident (id),
    kind          TEXT NOT NULL,             -- elderly-alone | disabled | bedridden | pregnant | left-behind-child | other
    kind_note     TEXT NOT NULL DEFAULT '',
    helper_name   TEXT NOT NULL,
    helper_phone  TEXT NOT NULL,
    helper_resident_id TEXT REFERENCES resident (id),
    note          TEXT NOT NULL DEFAULT ''
);

-- 应急队伍 (应急突击队 and its sub-teams)
CREATE TABLE team (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'shock', -- shock | monitoring | evacuation | rescue | logistics | other
    note        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE team_member (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    team_id     TEXT NOT NULL REFERENCES team (id),
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',   -- 队长 / 队员 / 预警员 ...
    skills      TEXT NOT NULL DEFAULT '',   -- 一专多能
    resident_id TEXT REFERENCES resident (id)
);

-- 通讯录: village, township and county contacts, duty lines, A/B backups.
CREATE TABLE contact (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,             -- person or duty line, e.g. 县应急管理局值班室
    organization  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT '',
    level         TEXT NOT NULL DEFAULT 'village', -- village | township | county | emergency
    phone         TEXT NOT NULL,
    phone_backup  TEXT NOT NULL DEFAULT '',
    is_duty_line  BOOLEAN NOT NULL DEFAULT 0,
    backup_of     TEXT REFERENCES contact (id), -- B for this A
    owner         TEXT NOT NULL DEFAULT 'village', -- village | county (county-owned rows are read-only in the village)
    note          TEXT NOT NULL DEFAULT ''
);

-- 避险安置点
CREATE TABLE shelter (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    capacity      INTEGER,
    keeper_name   TEXT NOT NULL DEFAULT '',
    keeper_phone  TEXT NOT NULL DEFAULT '',
    hazard_kinds  JSON NOT NULL DEFAULT '[]',
    note          TEXT NOT NULL DEFAULT ''
);

-- 转移路线
CREATE TABLE evacuation_route (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    from_place    TEXT NOT NULL DEFAULT '',
    shelter_id    TEXT REFERENCES shelter (id),
    description   TEXT NOT NULL DEFAULT '',
    distance_m    INTEGER,
    note          TEXT NOT NULL DEFAULT ''
);

-- 预案: one per hazard kind, with the six items of 六落实.
-- Each six-item is printed text; the *_ref columns point at the roster row it came from, where there is one.
CREATE TABLE plan (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    hazard              TEXT NOT NULL,
    title               TEXT NOT NULL DEFAULT '',
    warning_signal      TEXT NOT NULL DEFAULT '', -- 预警信号
    warning_giver       TEXT NOT NULL DEFAULT '', -- 发布人
    responsible         TEXT NOT NULL DEFAULT '', -- 责任人
    responsible_ref     TEXT,
    monitor             TEXT NOT NULL DEFAULT '', -- 监测人
    monitor_ref         TEXT,
    reporter            TEXT NOT NULL DEFAULT '', -- 信息员
    reporter_ref        TEXT,
    route               TEXT NOT NULL DEFAULT '', -- 转移路线
    route_ref           TEXT REFERENCES evacuation_route (id),
    safe_place          TEXT NOT NULL DEFAULT '', -- 安置点
    safe_place_ref      TEXT REFERENCES shelter (id),
    approved_by         TEXT NOT NULL DEFAULT '',
    approved_on         TEXT,
    note                TEXT NOT NULL DEFAULT ''
);

-- Steps of a plan: who does what, how (谁来做、做什么、怎么做), by phase.
CREATE TABLE plan_step (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    plan_id       TEXT NOT NULL REFERENCES plan (id),
    phase         TEXT NOT NULL,            -- warning | first-response | evacuation | reporting | recovery
    position      INTEGER NOT NULL DEFAULT 0,
    warning_level TEXT,                     -- red | orange | yellow | blue, for warning steps
    who           TEXT NOT NULL,
    what          TEXT NOT NULL,
    how           TEXT NOT NULL DEFAULT ''
);

-- 5+X 应急器材: standard items (catalog_code set) and the village's own X items.
CREATE TABLE kit_item (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    catalog_code          TEXT,             -- e.g. generator; NULL for the village's own X items
    name                  TEXT NOT NULL,
    quantity              INTEGER NOT NULL DEFAULT 0,
    unit                  TEXT NOT NULL DEFAULT '台',
    location              TEXT NOT NULL DEFAULT '',
    custodian             TEXT NOT NULL DEFAULT '',
    custodian_phone       TEXT NOT NULL DEFAULT '',
    condition             TEXT NOT NULL DEFAULT 'good', -- good | needs-repair | broken
    inspect_every_days    INTEGER NOT NULL DEFAULT 90,
    note                  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE kit_inspection (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    kit_item_id   TEXT NOT NULL REFERENCES kit_item (id),
    date          TEXT NOT NULL,
    inspector     TEXT NOT NULL,
    result        TEXT NOT NULL,            -- good | needs-repair | broken
    note          TEXT NOT NULL DEFAULT ''
);

-- 防汛责任人 and their four small items (头盔、电筒、防雨护具、救生衣).
CREATE TABLE flood_responsible (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    duty_area     TEXT NOT NULL DEFAULT '',
    resident_id   TEXT REFERENCES resident (id),
    has_helmet      BOOLEAN NOT NULL DEFAULT 0,
    has_flashlight  BOOLEAN NOT NULL DEFAULT 0,
    has_rain_gear   BOOLEAN NOT NULL DEFAULT 0,
    has_life_jacket BOOLEAN NOT NULL DEFAULT 0
);

-- 隐患排查: found, registered, rectified; due 15 days after an unannounced inspection finds it.
CREATE TABLE hazard_report (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    hazard_site_id  TEXT REFERENCES hazard_site (id),
    found_on        TEXT NOT NULL,
    found_by        TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT 'patrol', -- patrol | unannounced-inspection | villager | other
    description     TEXT NOT NULL,
    due_on          TEXT,
    closed_on       TEXT,
    fix_note        TEXT NOT NULL DEFAULT ''
);

-- 演练
CREATE TABLE drill (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    date          TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'single', -- comprehensive | single
    hazard        TEXT NOT NULL,
    participants  INTEGER,
    problems      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT ''
);

-- 突发事件信息报告: first report (首报) and continuation reports (续报).
CREATE TABLE incident_report (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    first_report_id TEXT REFERENCES incident_report (id), -- NULL for the first report
    occurred_at   TEXT NOT NULL,
    reported_at   TEXT NOT NULL,
    place         TEXT NOT NULL,
    hazard        TEXT NOT NULL,
    severity      TEXT,                     -- I | II | III | IV
    deaths        INTEGER NOT NULL DEFAULT 0,
    injured       INTEGER NOT NULL DEFAULT 0,
    missing       INTEGER NOT NULL DEFAULT 0,
    evacuated     INTEGER NOT NULL DEFAULT 0,
    description   TEXT NOT NULL DEFAULT '',
    actions_taken TEXT NOT NULL DEFAULT '',
    reporter      TEXT NOT NULL DEFAULT ''
);

-- 避险转移: an evacuation and where each person is.
CREATE TABLE evacuation_event (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    hazard      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    reason      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE evacuation_status (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    event_id      TEXT NOT NULL REFERENCES evacuation_event (id),
    resident_id   TEXT NOT NULL REFERENCES resident (id),
    status        TEXT NOT NULL DEFAULT 'pending', -- pending | moved | returned | refused | unreachable
    shelter_id    TEXT REFERENCES shelter (id),
    updated_at    TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);

-- Settings that travel with the village, e.g. report deadlines pushed down by the county.
CREATE TABLE setting (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    key         TEXT NOT NULL,
    value       JSON NOT NULL,
    owner       TEXT NOT NULL DEFAULT 'village' -- village | county
);

CREATE INDEX grid_member_grid ON grid_member (grid_id);
CREATE INDEX household_grid ON household (grid_id);
CREATE INDEX resident_household ON resident (household_id);
CREATE INDEX vulnerable_resident ON vulnerable_person (resident_id);
CREATE INDEX plan_step_plan ON plan_step (plan_id, phase, position);
CREATE INDEX kit_inspection_item ON kit_inspection (kit_item_id, date);
CREATE INDEX evacuation_status_event ON evacuation_status (event_id);

-- migration: 2

-- Where sync has got to with a county server: one row per server.
CREATE TABLE sync_state (
    server_url        TEXT PRIMARY KEY,
    device_token      TEXT,             -- set by enrollment
    pull_cursor       INTEGER NOT NULL DEFAULT 0,
    last_success_at   TEXT,
    last_error        TEXT
);
CREATE UNIQUE INDEX setting_key ON setting (village_code, key) WHERE deleted = 0;

-- migration: 3

-- Sync with the county (crates/cunan-core/src/sync.rs, docs/sync.md).
-- The version each local change was written over (NULL for a new row): a change whose base is the
-- version a replica holds is a plain edit; any other is concurrent and the loser is kept below.
ALTER TABLE change_log ADD COLUMN base_hlc TEXT;
-- The village the device token is bound to.
ALTER TABLE sync_state ADD COLUMN village_code TEXT;
ALTER TABLE sync_state ADD COLUMN enrolled_at TEXT;

-- Versions that lost a merge (concurrent edits of the same row): shown to the officer, restorable.
CREATE TABLE sync_conflict (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name       TEXT NOT NULL,
    row_id           TEXT NOT NULL,
    loser_hlc        TEXT NOT NULL,
    loser_device_id  TEXT NOT NULL,
    loser_data       JSON NOT NULL,
    winner_hlc       TEXT NOT NULL,
    winner_device_id TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    resolved         BOOLEAN NOT NULL DEFAULT 0, -- restored or dismissed by the officer
    UNIQUE (table_name, row_id, loser_hlc, loser_device_id)
);

-- migration: 4

-- The county server's own id (learnt at enrollment), so that the same server reached through
-- another address (an IP at the township office, a host name elsewhere, a proxy) is still the
-- one this store enrolled with; and the other address to use, set in the app's settings.
ALTER TABLE sync_state ADD COLUMN server_id TEXT;
ALTER TABLE sync_state ADD COLUMN address TEXT;

-- migration: 5

-- 预案宣传教育: who has been taught the plan, and when (预案受教育率: within 3 years every
-- villager has been taught the plan). One row per session (宣讲、培训、入户宣传), and one per
-- signature on its sign-in sheet (签到表): a resident, or a whole household signed in by one
-- person (resident_id NULL, household_id set). The self-check counts the live residents taught
-- within 3 years (crates/cunan-core/src/education.rs).
CREATE TABLE education_session (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    date          TEXT NOT NULL,             -- YYYY-MM-DD; a later date is a planned session, not yet counted
    topic         TEXT NOT NULL,             -- e.g. 防汛防台预案宣讲
    hazard        TEXT,                      -- flood | geological | ... ; NULL for all hazards
    taught_by     TEXT NOT NULL DEFAULT '',  -- 宣讲人
    place         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE education_attendance (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    session_id    TEXT NOT NULL REFERENCES education_session (id),
    resident_id   TEXT REFERENCES resident (id),   -- one person signed in
    household_id  TEXT REFERENCES household (id),  -- or a whole household (resident_id NULL)
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX education_attendance_session ON education_attendance (session_id);

-- migration: 6

-- 突发事件 (emergency mode): an incident the officer reports up, from the moment it is started.
-- The report deadlines run from occurred_at (crates/cunan-core/src/incident.rs); the limits are a
-- setting the county pushes down (key `incident_deadlines`). Its reports — 首报, 续报, 终报 — are
-- incident_report rows, each kept exactly as sent; the final report closes the incident.
CREATE TABLE incident (
    id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
    hazard       TEXT NOT NULL,             -- flood | geological | ...
    occurred_at  TEXT NOT NULL,             -- RFC 3339: when it happened (the deadline clock's start)
    place        TEXT NOT NULL,
    severity     TEXT,                      -- I | II | III | IV (I the gravest); NULL until known
    started_at   TEXT NOT NULL,             -- when the officer started it in the app
    phoned_at    TEXT,                      -- when the telephone report was made
    closed_at    TEXT,                      -- set with the final report
    note         TEXT NOT NULL DEFAULT ''
);

ALTER TABLE incident_report ADD COLUMN incident_id TEXT REFERENCES incident (id);
ALTER TABLE incident_report ADD COLUMN kind TEXT NOT NULL DEFAULT 'first'; -- first | continuation | final
ALTER TABLE incident_report ADD COLUMN trapped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incident_report ADD COLUMN needs TEXT NOT NULL DEFAULT '';       -- what is needed
ALTER TABLE incident_report ADD COLUMN reporter_phone TEXT NOT NULL DEFAULT '';
CREATE INDEX incident_report_incident ON incident_report (incident_id);

-- migration: 7

-- 转移点名 (evacuation roll call, crates/cunan-core/src/rollcall.rs). An evacuation_event is a
-- transfer order — from an incident or a warning — over the whole village or some grids; its list
-- of people is fixed when it starts: one evacuation_status row per person, whose id is derived from
-- (event, resident) so that marks made on several devices land in one row and merge by the sync
-- rule (the later mark wins; the other is kept among the conflicts). Each row carries the grid,
-- and whether the person is vulnerable or the household threatened, as they were at the start, so
-- the totals can be counted from these rows alone (the county does so).
ALTER TABLE evacuation_event ADD COLUMN incident_id TEXT REFERENCES incident (id);
ALTER TABLE evacuation_event ADD COLUMN level TEXT NOT NULL DEFAULT '';        -- red | orange | yellow | blue, or '' (not from a warning)
ALTER TABLE evacuation_event ADD COLUMN grid_ids JSON NOT NULL DEFAULT '[]';   -- the grids ordered to move; [] for the whole village
ALTER TABLE evacuation_event ADD COLUMN threatened_only BOOLEAN NOT NULL DEFAULT 0; -- only households in a hazard area
ALTER TABLE evacuation_event ADD COLUMN started_by TEXT NOT NULL DEFAULT '';
ALTER TABLE evacuation_status ADD COLUMN household_id TEXT REFERENCES household (id);
ALTER TABLE evacuation_status ADD COLUMN grid_id TEXT REFERENCES grid (id);
ALTER TABLE evacuation_status ADD COLUMN threatened BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE evacuation_status ADD COLUMN vulnerable BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE evacuation_status ADD COLUMN staying_with TEXT NOT NULL DEFAULT ''; -- 投亲靠友: with whom, where
ALTER TABLE evacuation_status ADD COLUMN marked_by TEXT NOT NULL DEFAULT '';   -- who made the mark (updated_at is when)
-- status: pending | moved | with-relatives | refused | away | unreachable | returned

-- migration: 8

-- Signed USB bundles (issue #12). The device's ed25519 seed, made at first open: bundles this
-- device writes are signed with it, and the county takes them only under the public key it
-- registered for this device (at enrollment, or from a bundle carrying a one-time enrollment
-- code). `key_registered_at`: when the county was first known to hold the key.
ALTER TABLE device ADD COLUMN signing_seed TEXT;
ALTER TABLE device ADD COLUMN key_registered_at TEXT;
-- Plain http to a county server that is not on this computer is refused unless the officer
-- allowed it explicitly at enrollment (a county intranet); enrollments made before the rule
-- over http keep working.
ALTER TABLE sync_state ADD COLUMN allow_plain_http BOOLEAN NOT NULL DEFAULT 0;
UPDATE sync_state SET allow_plain_http = 1 WHERE server_url LIKE 'http://%';
-- The county server's public key (ed25519), by server id: learnt at enrollment (or from the first
-- of its bundles a village that never enrolled reads), then every bundle from that server must
-- be signed with it.
CREATE TABLE server_key (
    server_id   TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    learned_at  TEXT NOT NULL,
    learned_how TEXT NOT NULL        -- enrollment | health | bundle
);
