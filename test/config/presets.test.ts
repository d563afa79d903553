import { describe, expect, it } from "vitest";
import { MX_PRESETS, MX_PRESETS_CHECKED, mergeMxPatterns } from "../../src/config/presets.js";
import { uncoveredHosts, validateMxPattern } from "../../src/sts/mx.js";

const presets = Object.entries(MX_PRESETS);

describe("mx presets", () => {
  it.each(presets)("%s covers its documented hosts", (_name, preset) => {
    expect(uncoveredHosts(preset.mx, preset.hosts)).toEqual([]);
  });

  it.each(presets)("%s has valid patterns", (_name, preset) => {
    expect(preset.mx.map(validateMxPattern).filter((problem) => problem !== null)).toEqual([]);
  });

  it.each(presets)("%s names its sources", (_name, preset) => {
    expect(preset.sources.length).toBeGreaterThan(0);
  });

  it("google-workspace covers the alt hosts", () => {
    const hosts = ["alt1.aspmx.l.google.com", "alt4.aspmx.l.google.com", "aspmx5.googlemail.com"];
    expect(uncoveredHosts(MX_PRESETS["google-workspace"]!.mx, hosts)).toEqual([]);
  });

  it("microsoft-365 does not cover a deeper name", () => {
    const hosts = ["a.b.mail.protection.outlook.com"];
    expect(uncoveredHosts(MX_PRESETS["microsoft-365"]!.mx, hosts)).toEqual(hosts);
  });

  it("records the check date", () => {
    expect(MX_PRESETS_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("mergeMxPatterns", () => {
  it.each([
    ["explicit only", ["mail.example.com"], [], ["mail.example.com"]],
    ["preset only", [], ["proton"], ["mail.protonmail.ch", "mailsec.protonmail.ch"]],
    [
      "explicit first",
      ["mx.example.com"],
      ["microsoft-365"],
      ["mx.example.com", "*.mail.protection.outlook.com"],
    ],
    [
      "case-insensitive repeat",
      ["*.MAIL.protection.outlook.com"],
      ["microsoft-365"],
      ["*.mail.protection.outlook.com"],
    ],
    ["repeated preset", [], ["proton", "proton"], ["mail.protonmail.ch", "mailsec.protonmail.ch"]],
    ["unknown preset skipped", ["mx.example.com"], ["nope"], ["mx.example.com"]],
  ])("%s", (_name, explicit, names, expected) => {
    expect(mergeMxPatterns(explicit, names)).toEqual(expected);
  });
});
