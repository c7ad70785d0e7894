import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * String length in Unicode code points, the characters MySQL/MariaDB count in a VARCHAR.
 * class-validator's Length does not count variation selectors (U+FE0E/U+FE0F), so a name it
 * accepts ("❤️" is two code points) could still overflow its column.
 */
export function CharLength(min: number, max: number, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'charLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const length = [...value].length;
          return length >= min && length <= max;
        },
        defaultMessage: buildMessage(
          (each) => `${each}$property must be ${min} to ${max} characters long`,
          options,
        ),
      },
    },
    options,
  );
}
