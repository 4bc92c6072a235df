// Five-field cron expressions, checked by one regular expression per field. The same regexes,
// joined, are the schema's pattern, so the API server (RE2) refuses what validation refuses.

interface CronField {
  name: string;
  range: string;
  /** One value of the field; an alternation, RE2- and JavaScript-compatible. */
  value: string;
}

const names = (list: string) => list.split(' ').map((n) => [...n].map((c) => `[${c}${c.toLowerCase()}]`).join('')).join('|');

export const CRON_FIELDS: CronField[] = [
  { name: 'minute', range: '0-59', value: '[0-5]?[0-9]' },
  { name: 'hour', range: '0-23', value: '[01]?[0-9]|2[0-3]' },
  { name: 'day-of-month', range: '1-31', value: '0?[1-9]|[12][0-9]|3[01]' },
  { name: 'month', range: '1-12 or JAN-DEC', value: `0?[1-9]|1[0-2]|${names('JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC')}` },
  { name: 'day-of-week', range: '0-7 or SUN-SAT (0 and 7 are Sunday)', value: `[0-7]|${names('SUN MON TUE WED THU FRI SAT')}` },
];

/** `*`, a value or a range a-b, each with an optional step /n; then a comma-separated list of those. */
function fieldPattern(value: string): string {
  const item = `(\\*|(${value})(-(${value}))?)(/[1-9][0-9]?)?`;
  return `${item}(,${item})*`;
}

export const CRON_PATTERN = `^${CRON_FIELDS.map((f) => fieldPattern(f.value)).join('[ \\t]+')}$`;

const FIELD_REGEXES = CRON_FIELDS.map((f) => new RegExp(`^${fieldPattern(f.value)}$`));

export const CRON_HINT = 'minute hour day-of-month month day-of-week, such as "0 3 * * *" (03:00 every day)';

/** Why a cron expression is refused, in words that name the field; undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/[ \t]+/).filter(Boolean);
  if (fields.length !== CRON_FIELDS.length) {
    return `must be a cron expression of 5 fields (${CRON_HINT}); found ${fields.length}`;
  }
  if (expression !== expression.trim()) return 'must not start or end with spaces';
  for (const [i, f] of CRON_FIELDS.entries()) {
    const text = fields[i];
    if (!FIELD_REGEXES[i].test(text)) {
      return `field ${i + 1} (${f.name}) "${text}" must be *, a value in ${f.range}, a range a-b, a list a,b or a step such as */15`;
    }
    const backwards = text.split(',').find((item) => {
      const m = /^([0-9]+)-([0-9]+)/.exec(item);
      return m !== null && Number(m[1]) > Number(m[2]);
    });
    if (backwards) return `field ${i + 1} (${f.name}) has the range "${backwards.split('/')[0]}" backwards`;
  }
  return undefined;
}
