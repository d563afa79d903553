/**
 * Precedence of domain values: the domain file, then domains/_defaults.yaml, then
 * `defaults` in mta-sts-gitops.yaml. Checks and resolution both read values through
 * here so they agree on where each value came from.
 */

import type { ValueLayer } from "./check-values.js";
import { hasKey, stringEntries, valueAt } from "./raw.js";
import type { DataPath } from "./yaml-file.js";

/** A value and the layer that set it. */
export interface Picked {
  value: unknown;
  layer: ValueLayer;
}

export class DomainLayers {
  /** Layers in precedence order; the first is the domain file. */
  constructor(readonly layers: readonly ValueLayer[]) {}

  get domainFile(): ValueLayer {
    return this.layers[0]!;
  }

  /** Returns the value at `path` (relative to each layer's base) and the first layer that sets it, or null. */
  pick(path: DataPath): Picked | null {
    for (const layer of this.layers) {
      const value = valueAt(layer.yaml.data, [...layer.base, ...path]);
      if (value !== undefined) {
        return { value, layer };
      }
    }
    return null;
  }

  /**
   * Returns the value of `key` from the first layer whose `parent` mapping contains the
   * key, even with a null value, because `tls_rpt: null` in a domain file must hide a
   * default `tls_rpt`.
   */
  pickKey(parent: DataPath, key: string): Picked | null {
    for (const layer of this.layers) {
      if (hasKey(layer.yaml.data, [...layer.base, ...parent], key)) {
        return { value: valueAt(layer.yaml.data, [...layer.base, ...parent, key]) ?? null, layer };
      }
    }
    return null;
  }

  /**
   * Returns the layer that decides the MX set: the first that sets `mx` or `mx_presets`.
   * Both lists come from that layer, so a domain that lists its own mx does not also
   * inherit the presets of the defaults.
   */
  pickMxLayer(): ValueLayer | null {
    for (const layer of this.layers) {
      const base = [...layer.base, "mta_sts"];
      if (valueAt(layer.yaml.data, [...base, "mx"]) !== undefined) {
        return layer;
      }
      if (valueAt(layer.yaml.data, [...base, "mx_presets"]) !== undefined) {
        return layer;
      }
    }
    return null;
  }

  /** Returns the explicit mx patterns and preset names of the layer that decides the MX set. */
  mxSources(): { explicit: string[]; presets: string[] } {
    const layer = this.pickMxLayer();
    if (layer === null) {
      return { explicit: [], presets: [] };
    }

    const base = [...layer.base, "mta_sts"];
    const strings = (key: string) =>
      stringEntries(layer.yaml.data, [...base, key]).map(([, value]) => value);
    return { explicit: strings("mx"), presets: strings("mx_presets") };
  }
}
