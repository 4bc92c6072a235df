import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findCondition, isConditionTrue, removeCondition, setCondition, type Condition } from '../../src/kube/conditions.js';

const T0 = new Date('2024-05-01T10:00:00.123Z');
const T1 = new Date('2024-05-01T10:05:00.999Z');

const ready = (status: Condition['status'], extra: Partial<Condition> = {}): Condition => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'Healthy' : 'PrimaryDown',
  message: 'm',
  observedGeneration: 1,
  lastTransitionTime: '2024-05-01T10:00:00Z',
  ...extra,
});

const cases: {
  name: string;
  list: Condition[] | undefined;
  update: Omit<Condition, 'lastTransitionTime'>;
  want: Condition[];
  sameArray?: boolean;
}[] = [
  {
    name: 'first condition on an empty status: transition time is now, in whole seconds',
    list: undefined,
    update: { type: 'Ready', status: 'True', reason: 'Healthy', message: 'm', observedGeneration: 1 },
    want: [ready('True')],
  },
  {
    name: 'same status, new message: transition time kept',
    list: [ready('True')],
    update: { type: 'Ready', status: 'True', reason: 'Healthy', message: 'other', observedGeneration: 2 },
    want: [ready('True', { message: 'other', observedGeneration: 2 })],
  },
  {
    name: 'status changes: transition time moves to now',
    list: [ready('True')],
    update: { type: 'Ready', status: 'False', reason: 'PrimaryDown', message: 'm', observedGeneration: 1 },
    want: [ready('False', { lastTransitionTime: '2024-05-01T10:05:00Z' })],
  },
  {
    name: 'nothing changes: the very same array comes back',
    list: [ready('True')],
    update: { type: 'Ready', status: 'True', reason: 'Healthy', message: 'm', observedGeneration: 1 },
    want: [ready('True')],
    sameArray: true,
  },
  {
    name: 'another type is appended, order of the others kept',
    list: [ready('True')],
    update: { type: 'Degraded', status: 'False', reason: 'AllHealthy', message: '' },
    want: [
      ready('True'),
      { type: 'Degraded', status: 'False', reason: 'AllHealthy', message: '', lastTransitionTime: '2024-05-01T10:05:00Z' },
    ],
  },
  {
    name: 'replaced in place among others',
    list: [{ ...ready('False'), type: 'A' }, ready('True'), { ...ready('False'), type: 'B' }],
    update: { type: 'Ready', status: 'Unknown', reason: 'NoContact', message: 'x', observedGeneration: 3 },
    want: [
      { ...ready('False'), type: 'A' },
      { type: 'Ready', status: 'Unknown', reason: 'NoContact', message: 'x', observedGeneration: 3, lastTransitionTime: '2024-05-01T10:05:00Z' },
      { ...ready('False'), type: 'B' },
    ],
  },
];

for (const c of cases) {
  test(`setCondition: ${c.name}`, () => {
    const now = c.list === undefined ? T0 : T1;
    const before = structuredClone(c.list);
    const got = setCondition(c.list, c.update, now);
    assert.deepEqual(got, c.want);
    assert.deepEqual(c.list, before, 'the input list is not mutated');
    if (c.sameArray) assert.equal(got, c.list);
    else assert.notEqual(got, c.list);
  });
}

test('find, isConditionTrue and removeCondition', () => {
  const list = [ready('True'), { ...ready('False'), type: 'Degraded' }];
  assert.equal(findCondition(list, 'Degraded')?.status, 'False');
  assert.equal(findCondition(list, 'Missing'), undefined);
  assert.equal(isConditionTrue(list, 'Ready'), true);
  assert.equal(isConditionTrue(list, 'Degraded'), false);
  assert.equal(isConditionTrue(undefined, 'Ready'), false);
  assert.deepEqual(removeCondition(list, 'Ready'), [{ ...ready('False'), type: 'Degraded' }]);
  assert.equal(removeCondition(list, 'Missing'), list);
});
