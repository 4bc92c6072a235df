// The confirmation that says what will happen (or a refusal with its reason), before anything is sent.
import { useSignal } from '@preact/signals';
import { dialog } from './state.js';

export function DialogBox() {
  const d = dialog.value;
  const busy = useSignal(false);
  if (!d) return null;
  const close = () => (dialog.value = undefined);
  return (
    <div class="backdrop">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" data-testid="dialog">
        <h3 id="dialog-title">{d.title}</h3>
        <p data-testid="dialog-body">{d.body}</p>
        {d.fields?.map((f) => (
          <label key={f.name}>
            {f.label}
            <input name={f.name} placeholder={f.placeholder} value={d.values?.[f.name] ?? ''} onInput={(e) => (dialog.value = { ...d, values: { ...d.values, [f.name]: (e.target as HTMLInputElement).value } })} />
          </label>
        ))}
        {d.error ? <p class="bad-text" data-testid="dialog-error">{d.error}</p> : null}
        <div class="buttons">
          <button onClick={close}>{d.confirm ? 'Cancel' : 'Close'}</button>
          {d.confirm ? (
            <button
              class="primary"
              disabled={busy.value}
              onClick={async () => {
                busy.value = true;
                try {
                  await d.confirm!.run();
                  close();
                } catch (err) {
                  dialog.value = { ...d, ...dialog.value, error: (err as Error).message };
                } finally {
                  busy.value = false;
                }
              }}
            >
              {d.confirm.label}
            </button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
