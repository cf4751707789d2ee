import type { InputField } from '../../../model-server/src/core/types';
import { csvToInstances } from '../../../model-server/src/protocols/sagemaker-csv';

// The reader lets one row past MAX_BATCH_SIZE through (room for a header line), and without csvToInstances'
// own check the Scorer would still refuse the batch, with a message about instances. These tests guard the
// CSV message, which counts rows as the client wrote them, header excluded.
describe('csvToInstances batch limit', () => {
  const inputs: InputField[] = [
    { name: 'x', type: 'number' },
    { name: 's', type: 'string' },
  ];
  const rows = (n: number) => Array.from({ length: n }, (_, i) => [String(i), 'a']);

  it('refuses one row more than the limit, naming the rows and the limit', () => {
    const error = (() => {
      try {
        csvToInstances(rows(3), inputs, 2);
      } catch (e) {
        return e;
      }
      throw new Error('expected BATCH_TOO_LARGE');
    })();
    expect(error).toMatchObject({
      code: 'BATCH_TOO_LARGE',
      message: 'the CSV body has 3 rows; the limit is 2 instances per request (MAX_BATCH_SIZE)',
      details: [{ path: 'instances', message: 'expected at most 2 rows, got 3' }],
    });
  });

  it('takes exactly the limit, and a header on top of it', () => {
    expect(csvToInstances(rows(2), inputs, 2)).toHaveLength(2);
    expect(csvToInstances([['s', 'x'], ...rows(2)], inputs, 2)).toEqual([
      { s: '0', x: 'a' },
      { s: '1', x: 'a' },
    ]);
  });
});
