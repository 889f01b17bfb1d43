import { describe, expect, it } from 'vitest';
import { bundleFromJSON as officialFromJSON } from '@sigstore/bundle';
import { BundleError, bundleToJSON, parseBundle } from '../src/index.js';
import { conformanceCases, readBundleText } from './testdata.js';

// sigstore-js is the reference client for the wire format: anything we accept
// it must accept too, and our serialisation must be acceptable to it.
describe('agreement with @sigstore/bundle', () => {
  for (const name of conformanceCases()) {
    it(name, () => {
      const text = readBundleText(name);
      let ours;
      try {
        ours = parseBundle(text);
      } catch (e) {
        expect(e).toBeInstanceOf(BundleError);
        return;
      }
      expect(() => officialFromJSON(JSON.parse(text))).not.toThrow();
      const reparsed = officialFromJSON(JSON.parse(JSON.stringify(bundleToJSON(ours))));
      expect(reparsed.mediaType).toBe(ours.mediaType);
      expect(reparsed.content?.$case).toBe(ours.content.$case);
    });
  }
});
