// Small browser helpers the app's components call; kept here so pages carry no inline script.

// The light/dark pick of the app bar's toggle (Components/Library/Theme/ThemeMode.cs).
window.trackerTheme = {
  get: () => { try { return localStorage.getItem("tracker-theme"); } catch { return null; } },
  set: (mode) => { try { localStorage.setItem("tracker-theme", mode); } catch { /* private mode: not remembered */ } },
};

// "/" focuses the page's search box (an input marked data-hotkey="/", e.g. the filter on /runs), unless the user is typing.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  const box = document.querySelector('input[data-hotkey="/"], textarea[data-hotkey="/"]');
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

// A refused submit of a form (the new-run page): bring its first problem into view and focus it, an input inside the
// element the selector names (a field) or the element itself (a list of problems, tabindex=-1).
window.trackerForm = {
  focusProblem: (selector) => {
    const target = document.querySelector(selector);
    if (!target) return false;
    const focusable = target.matches("input, select, textarea, [tabindex]")
      ? target
      : target.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])');
    target.scrollIntoView({ block: "center" });
    (focusable ?? target).focus({ preventScroll: true });
    return true;
  },
};
