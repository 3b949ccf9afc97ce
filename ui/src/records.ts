// Shared helpers of the teams, contacts, shelters, routes and flood-responsible screens: the
// Chinese labels of their coded fields, empty records to start a form from, the contacts'
// grouping (by level, A with its B backups) and the quick filter, and delete-with-undo.

import type { Backend, RecordTable } from "./backend";
import type {
  Contact,
  EvacuationRoute,
  FloodResponsible,
  Shelter,
  Team,
  TeamMember,
} from "./bindings";
import type { Undo } from "./undo";

/** `team.kind` (see schema.sql). */
export const TEAM_KIND_LABELS: Record<string, string> = {
  shock: "应急突击队",
  monitoring: "监测预警组",
  evacuation: "转移安置组",
  rescue: "抢险救援组",
  logistics: "后勤保障组",
  other: "其他队伍",
};

/** Roles offered when adding a team member (any other text may be typed). */
export const TEAM_ROLES = ["队长", "副队长", "组长", "队员", "组员", "预警员", "信息员", "监测员"] as const;

/** `contact.level`, in the order the directory shows them. */
export const CONTACT_LEVELS = ["village", "township", "county", "emergency"] as const;
export const CONTACT_LEVEL_LABELS: Record<string, string> = {
  village: "村级",
  township: "乡镇（街道）",
  county: "县（区）",
  emergency: "应急救援",
};

/** The four small items, in the order of the catalogue's `four_small_items`. */
export const RESPONSIBLE_ITEM_FIELDS = [
  "has_helmet",
  "has_flashlight",
  "has_rain_gear",
  "has_life_jacket",
] as const;
export type ResponsibleItemField = (typeof RESPONSIBLE_ITEM_FIELDS)[number];
/** Used only if the core sends fewer names than fields. */
export const RESPONSIBLE_ITEM_DEFAULT_NAMES = ["头盔", "电筒", "防雨护具", "救生衣"];

export function isCountyOwned(c: Contact): boolean {
  return c.owner === "county";
}

export const emptyTeam = (): Team => ({ id: "", name: "", kind: "shock", note: "" });

export const emptyTeamMember = (teamId: string): TeamMember => ({
  id: "",
  team_id: teamId,
  name: "",
  phone: "",
  role: "队员",
  skills: "",
  resident_id: null,
});

export const emptyContact = (): Contact => ({
  id: "",
  name: "",
  organization: "",
  role: "",
  level: "village",
  phone: "",
  phone_backup: "",
  is_duty_line: false,
  backup_of: null,
  owner: "village",
  note: "",
});

export const emptyShelter = (): Shelter => ({
  id: "",
  name: "",
  address: "",
  capacity: null,
  keeper_name: "",
  keeper_phone: "",
  hazard_kinds: [],
  note: "",
});

export const emptyRoute = (): EvacuationRoute => ({
  id: "",
  name: "",
  from_place: "",
  shelter_id: null,
  description: "",
  distance_m: null,
  note: "",
});

export const emptyResponsible = (): FloodResponsible => ({
  id: "",
  name: "",
  phone: "",
  duty_area: "",
  resident_id: null,
  has_helmet: false,
  has_flashlight: false,
  has_rain_gear: false,
  has_life_jacket: false,
});

/** One line of the directory: an A contact (or a lone one) with the B backups for it. */
export interface ContactEntry {
  contact: Contact;
  backups: Contact[];
}

export interface ContactGroup {
  level: string;
  label: string;
  entries: ContactEntry[];
}

/** The text a contact is found by: names, organisation, role, note, phones (digits only too). */
function contactText(c: Contact): string {
  const phones = `${c.phone} ${c.phone_backup}`;
  return `${c.name} ${c.organization} ${c.role} ${c.note} ${phones} ${phones.replace(/\D/g, "")}`.toLowerCase();
}

function matches(c: Contact, words: string[]): boolean {
  const text = contactText(c);
  return words.every((w) => text.includes(w));
}

/**
 * The directory grouped by level (村 / 镇 / 县 / 应急), each B backup under its A. An entry is
 * kept when the A or any of its Bs matches every word of `query`. A B whose A is gone stands alone.
 */
export function groupContacts(contacts: Contact[], query: string): ContactGroup[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const ids = new Set(contacts.map((c) => c.id));
  const backups = new Map<string, Contact[]>();
  for (const c of contacts) {
    if (c.backup_of && c.backup_of !== c.id && ids.has(c.backup_of)) {
      const list = backups.get(c.backup_of) ?? [];
      list.push(c);
      backups.set(c.backup_of, list);
    }
  }
  const isNestedB = (c: Contact) => !!c.backup_of && c.backup_of !== c.id && ids.has(c.backup_of);
  const byName = (a: Contact, b: Contact) =>
    Number(b.is_duty_line) - Number(a.is_duty_line) || a.name.localeCompare(b.name, "zh-CN");

  const levels: string[] = [...CONTACT_LEVELS];
  for (const c of contacts) if (!levels.includes(c.level)) levels.push(c.level);

  return levels
    .map((level) => {
      const entries = contacts
        .filter((c) => c.level === level && !isNestedB(c))
        .sort(byName)
        .map((c) => ({ contact: c, backups: (backups.get(c.id) ?? []).slice().sort(byName) }))
        .filter((e) => words.length === 0 || [e.contact, ...e.backups].some((c) => matches(c, words)));
      return { level, label: CONTACT_LEVEL_LABELS[level] ?? level, entries };
    })
    .filter((g) => g.entries.length > 0);
}

/** Digits the officer may type with full-width characters or spaces: "１２ 0" → "120". */
export function normalizeDigits(text: string): string {
  return text
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\s,，]/g, "");
}

/** Deletes a row (with the rows that belong to it) and offers "撤销" in the frame's toast. */
export async function removeWithUndo(
  backend: Backend,
  undo: Undo,
  table: RecordTable,
  id: string,
  label: string,
  after: () => void,
): Promise<void> {
  const tombstones = await backend.remove(table, id);
  undo.offer({ label, tombstones, after });
}
