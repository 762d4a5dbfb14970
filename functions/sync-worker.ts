// Placeholder entry point, replaced by the real handler in the same change series (issue 2/3).
export const handler = async (): Promise<never> => {
  throw new Error('not built yet');
};
