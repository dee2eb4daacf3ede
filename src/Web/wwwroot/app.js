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
