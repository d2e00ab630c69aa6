// The offer's stylesheet, inside its Shadow DOM: the site's CSS cannot reach
// in and this cannot leak out. Themable through CSS custom properties set on
// the host element (see OfferTheme), with defaults here.
export const OFFER_CSS = `
:host{all:initial;position:fixed;inset:0;z-index:2147483000;pointer-events:none;
  --rl-accent:var(--relance-accent,#4f46e5);--rl-accent-text:var(--relance-accent-text,#fff);
  --rl-bg:var(--relance-background,#fff);--rl-text:var(--relance-text,#1f2937);
  --rl-radius:var(--relance-radius,14px);
  --rl-font:var(--relance-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}
*,*::before,*::after{box-sizing:border-box}
.backdrop{position:fixed;inset:0;display:flex;align-items:center;justify-content:center;padding:16px;
  background:rgba(17,24,39,.55);pointer-events:auto;animation:rl-fade .18s ease-out}
.panel{position:relative;width:100%;max-width:420px;max-height:calc(100vh - 32px);overflow:auto;
  background:var(--rl-bg);color:var(--rl-text);font-family:var(--rl-font);font-size:16px;line-height:1.45;
  border-radius:var(--rl-radius);padding:28px 24px 22px;box-shadow:0 20px 50px rgba(0,0,0,.25);
  pointer-events:auto;animation:rl-rise .22s ease-out;outline:none}
.banner{position:fixed;left:0;right:0;bottom:0;max-width:none;max-height:70vh;border-radius:var(--rl-radius) var(--rl-radius) 0 0;
  padding:18px 20px 16px;box-shadow:0 -8px 30px rgba(0,0,0,.18)}
.banner .inner{max-width:960px;margin:0 auto}
.banner form{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-start}
.banner .field{flex:1 1 200px;margin:0}
.banner .consent,.banner .form-error{flex:1 1 100%}
.banner .submit{flex:0 0 auto;width:auto;margin-top:22px}
h2{margin:0 36px 8px 0;font-size:22px;line-height:1.25;font-weight:700}
.body{margin:0 0 14px}
.advantage{display:inline-block;margin:0 0 16px;padding:4px 10px;border-radius:999px;font-weight:600;font-size:14px;
  background:color-mix(in srgb,var(--rl-accent) 12%,transparent);color:var(--rl-accent)}
.badge{position:absolute;top:10px;left:12px;font-size:11px;letter-spacing:.06em;text-transform:uppercase;opacity:.6}
.close{position:absolute;top:10px;right:10px;width:36px;height:36px;border:0;border-radius:50%;background:transparent;
  color:inherit;font:inherit;font-size:24px;line-height:1;cursor:pointer;opacity:.7}
.close:hover{opacity:1;background:rgba(0,0,0,.06)}
.field{margin:0 0 12px}
label{display:block;font-size:14px;font-weight:600;margin:0 0 4px}
input[type=email],input[type=tel],input[type=text]{display:block;width:100%;padding:10px 12px;font:inherit;color:inherit;
  background:var(--rl-bg);border:1px solid rgba(0,0,0,.25);border-radius:calc(var(--rl-radius) / 2)}
input[aria-invalid=true]{border-color:#b91c1c;box-shadow:0 0 0 1px #b91c1c}
.consent{display:flex;gap:8px;align-items:flex-start;margin:4px 0 12px;font-size:13px}
.consent input{margin:3px 0 0;flex:0 0 auto;width:16px;height:16px;accent-color:var(--rl-accent)}
.consent label{font-weight:400;font-size:13px;margin:0;flex:1 1 0;min-width:0}
.consent .error{flex-basis:100%}
.consent-wrap{display:flex;flex-wrap:wrap;gap:4px 8px;width:100%}
.error{color:#b91c1c;font-size:13px;margin:4px 0 0}
.error:empty{display:none}
.form-error{margin:0 0 10px}
.submit{display:block;width:100%;padding:12px 16px;border:0;border-radius:calc(var(--rl-radius) / 2);cursor:pointer;
  background:var(--rl-accent);color:var(--rl-accent-text);font:inherit;font-weight:700}
.submit[aria-busy=true]{opacity:.7;cursor:progress}
button:focus-visible,input:focus-visible{outline:3px solid color-mix(in srgb,var(--rl-accent) 55%,transparent);outline-offset:2px}
.success{font-size:17px;margin:8px 0 4px;outline:none}
.hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}
[hidden]{display:none!important}
@media (max-width:600px){
  .backdrop{align-items:flex-end;padding:0}
  .panel:not(.banner){max-width:none;border-radius:var(--rl-radius) var(--rl-radius) 0 0;max-height:90vh}
  .banner form{display:block}.banner .submit{width:100%;margin-top:0}
}
@keyframes rl-fade{from{opacity:0}}
@keyframes rl-rise{from{opacity:0;transform:translateY(12px)}}
@media (prefers-reduced-motion:reduce){.backdrop,.panel{animation:none}}
`;
