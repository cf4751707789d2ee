import { GKE_CERTMAP_ANNOTATION, gcpNames } from '../../../src/constructs/gcp/gke-tls-gateway';
import { GKE_CERTMAP_ANNOTATION as GATE_CERTMAP_ANNOTATION } from '../../../src/security/rules/gateways';

const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

describe('GkeTlsGateway names', () => {
  test('a short base name is kept, with one suffix per resource', () => {
    expect(gcpNames('model-serving-demo-bankchurn')).toEqual({
      address: 'model-serving-demo-bankchurn-ip',
      certificate: 'model-serving-demo-bankchurn-cert',
      certificateMap: 'model-serving-demo-bankchurn-certs',
      certificateMapEntry: 'model-serving-demo-bankchurn-entry',
      securityPolicy: 'model-serving-demo-bankchurn-armor',
    });
  });

  test('long base names fit 63 characters, stay valid names, and differ when only their ends differ', () => {
    const service = 'a'.repeat(55);
    const one = gcpNames(`project-twenty-chars-environment-${service}x`);
    const two = gcpNames(`project-twenty-chars-environment-${service}y`);
    for (const name of [...Object.values(one), ...Object.values(two)]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(GCP_NAME);
    }
    expect(one.certificateMap).not.toBe(two.certificateMap);
    // Deterministic: the same base name always gives the same names (no replacement on the next deploy).
    expect(gcpNames(`project-twenty-chars-environment-${service}x`)).toEqual(one);
  });

  test('a cut that ends in a hyphen does not double it', () => {
    const names = gcpNames(`${'b'.repeat(47)}-${'c'.repeat(30)}`);
    expect(names.address).not.toMatch(/--/);
  });

  test('the security gate reads the same certificate map annotation the construct writes', () => {
    expect(GATE_CERTMAP_ANNOTATION).toBe(GKE_CERTMAP_ANNOTATION);
  });
});
