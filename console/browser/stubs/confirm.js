export default { open: () => Promise.resolve(true) };
