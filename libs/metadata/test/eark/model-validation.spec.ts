import { readSip } from '@archive/metadata/eark';
import { buildTestSip, sampleCaseFile } from '@archive/metadata/eark/testing';
import { validateCaseFile } from '@archive/metadata/validate';

// The fixture generator is used by the service's e2e tests: its default case file must be valid,
// and what readSip maps must pass the model validator unchanged.
describe('test SIPs and the model validator', () => {
  it('sampleCaseFile() is valid', () => {
    const v = validateCaseFile(sampleCaseFile(), { agencyId: '000.00.12.H05' });
    expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('the case file read from a test SIP is valid', async () => {
    const r = await readSip((await buildTestSip()).zip);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const v = validateCaseFile(r.value.caseFile, { agencyId: '000.00.12.H05' });
    expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
    await r.value.close();
  });

  it('larger sample case files stay valid (e2e fixtures with many documents)', async () => {
    const cf = sampleCaseFile({}, 25);
    expect(validateCaseFile(cf, { agencyId: '000.00.12.H05' }).issues.filter((i) => i.severity === 'error')).toEqual([]);
    const r = await readSip((await buildTestSip({ caseFile: cf })).zip);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.caseFile.documents).toHaveLength(25);
    await r.value.close();
  });
});
